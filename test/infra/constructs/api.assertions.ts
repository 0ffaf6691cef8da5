import { Template, Match } from 'aws-cdk-lib/assertions';
import type { Stack } from 'aws-cdk-lib';
import { RequestAuthorizer, IdentitySource } from 'aws-cdk-lib/aws-apigateway';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { SwitchyardApi, type SwitchyardApiProps } from '../../../lib/constructs/api';
import { bareStack } from '../fixtures';

function inlineFunction(stack: Stack, id: string): LambdaFunction {
  return new LambdaFunction(stack, id, { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('exports.handler=()=>{}') });
}

function synth(enableWaf = false, logging: Partial<Pick<SwitchyardApiProps, 'createCloudWatchRole' | 'accessLogs'>> = {}): { template: Template; stack: Stack; gatewayId: string } {
  const stack = bareStack();
  const gateway = inlineFunction(stack, 'Gateway');
  const authorizer = new RequestAuthorizer(stack, 'Authorizer', { handler: inlineFunction(stack, 'AuthFn'), identitySources: [IdentitySource.header('Authorization')] });
  new SwitchyardApi(stack, 'Api', { gateway, authorizer, stageName: 'dev', logRetention: RetentionDays.ONE_MONTH, enableWaf, ...logging });
  return { template: Template.fromStack(stack), stack, gatewayId: stack.getLogicalId(gateway.node.defaultChild as never) };
}

describe('SwitchyardApi', () => {
  it('is a REGIONAL REST API with a name of its own (the API 5xx alarm is keyed by it) and no duplicate endpoint output', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] }, Name: 'Test-api' });
    expect(template.toJSON().Outputs ?? {}).toEqual({});
  });

  it('sends the Messages API routes, the model list and the root probe to the gateway without the authorizer (the gateway authenticates x-api-key or bearer itself)', () => {
    const { template, gatewayId } = synth();
    const resources = template.findResources('AWS::ApiGateway::Resource');
    const idOf = (part: string): string => {
      const found = Object.entries(resources).filter(([, resource]) => (resource as { Properties: { PathPart: string } }).Properties.PathPart === part);
      expect(found).toHaveLength(1);
      return found[0]![0];
    };
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')) as Array<{ Properties: { HttpMethod: string; ResourceId: unknown; AuthorizationType: string; Integration: { Uri: unknown } } }>;
    const open = methods.filter((method) => method.Properties.AuthorizationType === 'NONE');
    const at = (resource: unknown): string => JSON.stringify(resource);

    expect(open.map((method) => [method.Properties.HttpMethod, at(method.Properties.ResourceId)]).sort()).toEqual(
      [
        ['GET', at({ 'Fn::GetAtt': [Object.keys(template.findResources('AWS::ApiGateway::RestApi'))[0], 'RootResourceId'] })],
        ['HEAD', at({ 'Fn::GetAtt': [Object.keys(template.findResources('AWS::ApiGateway::RestApi'))[0], 'RootResourceId'] })],
        ['GET', at({ Ref: idOf('health') })],
        ['POST', at({ Ref: idOf('messages') })],
        ['POST', at({ Ref: idOf('count_tokens') })],
        ['GET', at({ Ref: idOf('models') })],
        ['GET', at({ Ref: idOf('{model+}') })],
      ].sort(),
    );
    for (const method of open) expect(JSON.stringify(method.Properties.Integration.Uri)).toContain(gatewayId);
  });

  it('proxies every /v1/{proxy+} method to the gateway in STREAM mode with a 15-minute timeout, behind the authorizer', () => {
    const { template, gatewayId } = synth();
    const proxy = template.findResources('AWS::ApiGateway::Resource', { Properties: { PathPart: '{proxy+}' } });
    expect(Object.keys(proxy)).toHaveLength(1);

    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'ANY',
      ResourceId: { Ref: Object.keys(proxy)[0] },
      AuthorizationType: 'CUSTOM',
      AuthorizerId: Match.anyValue(),
      Integration: {
        Type: 'AWS_PROXY',
        IntegrationHttpMethod: 'POST',
        ResponseTransferMode: 'STREAM',
        TimeoutInMillis: 900000,
        Uri: {
          'Fn::Join': ['', Match.arrayWith([{ 'Fn::GetAtt': [gatewayId, 'Arn'] }, '/response-streaming-invocations'])],
        },
      },
    });
  });

  it('serves GET /health from the gateway without authorization', () => {
    const { template } = synth();
    const health = template.findResources('AWS::ApiGateway::Resource', { Properties: { PathPart: 'health' } });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      ResourceId: { Ref: Object.keys(health)[0] },
      AuthorizationType: 'NONE',
      Integration: Match.objectLike({ Type: 'AWS_PROXY', ResponseTransferMode: 'STREAM' }),
    });
  });

  it('creates no account-level API Gateway setting and logs nothing from API Gateway by default (a stage that logs needs the account role)', () => {
    const { template } = synth();
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    template.resourceCountIs('AWS::IAM::Role', 2); // the two inline functions' roles only
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200, LoggingLevel: 'OFF', MetricsEnabled: true })],
      AccessLogSetting: Match.absent(),
    });
  });

  it('logs to the account role that already exists with accessLogs alone, creating no account setting', () => {
    const { template } = synth(false, { accessLogs: true });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    template.hasResourceProperties('AWS::ApiGateway::Stage', { AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.anyValue() } });
  });

  it('with createCloudWatchRole, creates the account-level role and throttles the stage and writes JSON access logs with the streaming timing variables', () => {
    const { template } = synth(false, { createCloudWatchRole: true });
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'dev',
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200, LoggingLevel: 'ERROR', MetricsEnabled: true })],
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
    });
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0] as { Properties: { AccessLogSetting: { Format: string } } };
    const format = JSON.parse(stage.Properties.AccessLogSetting.Format) as Record<string, string>;
    expect(format).toMatchObject({
      responseTransferMode: '$context.integration.responseTransferMode',
      timeToAllHeaders: '$context.integration.timeToAllHeaders',
      timeToFirstContent: '$context.integration.timeToFirstContent',
      status: '$context.status',
      keyId: '$context.authorizer.principalId',
    });
  });

  it.each([
    ['UNAUTHORIZED', '401', 'authentication_error', '"invalid_api_key"'],
    ['ACCESS_DENIED', '403', 'permission_error', 'null'],
    ['THROTTLED', '429', 'rate_limit_error', '"rate_limit_exceeded"'],
    ['REQUEST_TOO_LARGE', '413', 'invalid_request_error', '"request_too_large"'],
  ])('answers API Gateway %s rejections with the OpenAI error envelope', (type, status, errorType, code) => {
    synth().template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: type,
      StatusCode: status,
      ResponseTemplates: {
        'application/json': `{"error":{"message":$context.error.messageString,"type":"${errorType}","param":null,"code":${code}}}`,
      },
    });
  });

  it('has no web ACL unless asked', () => {
    synth().template.resourceCountIs('AWS::WAFv2::WebACL', 0);
  });

  it('with WAF, answers a Content-Length of 6 MB or more with the documented 413 in the OpenAI envelope, before anything is invoked', () => {
    const { template } = synth(true);
    const acl = Object.values(template.findResources('AWS::WAFv2::WebACL'))[0] as {
      Properties: {
        Rules: Array<{ Name: string; Priority: number; Action?: unknown; Statement: { RegexMatchStatement?: { RegexString: string; FieldToMatch: unknown } } }>;
        CustomResponseBodies: Record<string, { ContentType: string; Content: string }>;
      };
    };
    const rule = acl.Properties.Rules.find((r) => r.Name === 'OversizedBody');
    expect(rule?.Priority).toBe(0);
    expect(rule?.Action).toEqual({ Block: { CustomResponse: { ResponseCode: 413, CustomResponseBodyKey: 'request_too_large' } } });
    expect(rule?.Statement.RegexMatchStatement?.FieldToMatch).toEqual({ SingleHeader: { Name: 'content-length' } });
    const pattern = new RegExp(rule?.Statement.RegexMatchStatement?.RegexString ?? '$^');
    expect(['5242880', '5999999'].map((length) => pattern.test(length))).toEqual([false, false]);
    expect(['6000000', '6815744', '10485760'].map((length) => pattern.test(length))).toEqual([true, true, true]);
    const body = acl.Properties.CustomResponseBodies.request_too_large;
    expect(body?.ContentType).toBe('APPLICATION_JSON');
    expect(JSON.parse(body?.Content ?? '{}')).toMatchObject({ error: { type: 'invalid_request_error', code: 'request_too_large', param: null } });
  });

  it('with WAF, associates a regional web ACL with the stage and sets every body-inspecting rule to count', () => {
    const { template } = synth(true);
    const acl = Object.values(template.findResources('AWS::WAFv2::WebACL'))[0] as {
      Properties: { Rules: Array<{ Statement: { ManagedRuleGroupStatement?: { Name: string; RuleActionOverrides: Array<{ Name: string; ActionToUse: unknown }> } } }> };
    };
    const counted = Object.fromEntries(
      acl.Properties.Rules.flatMap(({ Statement: { ManagedRuleGroupStatement: group } }) =>
        group ? [[group.Name, group.RuleActionOverrides.map((o) => (expect(o.ActionToUse).toEqual({ Count: {} }), o.Name))]] : [],
      ),
    );
    // Every rule of these managed groups that inspects the body (AWS documents them with a _BODY suffix).
    expect(counted).toEqual({
      AWSManagedRulesCommonRuleSet: ['SizeRestrictions_BODY', 'CrossSiteScripting_BODY', 'GenericLFI_BODY', 'GenericRFI_BODY', 'EC2MetaDataSSRF_BODY'],
      AWSManagedRulesKnownBadInputsRuleSet: ['JavaDeserializationRCE_BODY', 'Log4JRCE_BODY'],
    });
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: 'AWSManagedRulesCommonRuleSet',
          OverrideAction: { None: {} },
          Statement: {
            ManagedRuleGroupStatement: {
              VendorName: 'AWS',
              Name: 'AWSManagedRulesCommonRuleSet',
              RuleActionOverrides: Match.arrayWith([{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }]),
            },
          },
        }),
      ]),
    });
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: { 'Fn::Join': ['', Match.arrayWith(['/stages/', { Ref: Match.stringLikeRegexp('^ApiDeploymentStagedev') }])] },
    });
  });
});
