import { Template, Match } from 'aws-cdk-lib/assertions';
import { MockIntegration, RestApi } from 'aws-cdk-lib/aws-apigateway';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { KeyAuthorizer } from '../../../lib/constructs/authorizer';
import { build } from 'esbuild';
import { GatewayFunction, gatewayDefines } from '../../../lib/constructs/gateway-function';
import { handlerEntry } from '../../../lib/constructs/function-defaults';
import type { SwitchyardConfig } from '../../../functions/core/config/schema';
import { bareStack, testConfig } from '../fixtures';

describe('GatewayFunction', () => {
  function synth(reservedConcurrency?: number): Template {
    const stack = bareStack();
    new GatewayFunction(stack, 'Gateway', { config: testConfig, stage: 'dev', logRetention: RetentionDays.ONE_MONTH, reservedConcurrency });
    return Template.fromStack(stack);
  }

  it('runs Node.js 24 on arm64 with a 15-minute timeout and its own log group, without source-map loading at cold start', () => {
    const template = synth(40);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 900,
      MemorySize: 1024,
      ReservedConcurrentExecutions: 40,
      LoggingConfig: { LogGroup: Match.anyValue() },
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: Match.absent(), SWITCHYARD_STAGE: 'dev', POWERTOOLS_METRICS_NAMESPACE: 'Switchyard' }) },
      TracingConfig: Match.absent(),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('may invoke exactly the Bedrock models the config routes to', () => {
    const template = synth();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
            Resource: [
              'arn:aws:bedrock:*:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0',
              'arn:aws:bedrock:*::foundation-model/amazon.titan-embed-text-v2:0',
              'arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0',
            ],
          },
        ],
      },
    });
  });

  it('bundles the Bedrock provider and its SDK client only for a config with a Bedrock provider', async () => {
    // The gateway entry bundled as the function's bundling options bundle it, with its defines.
    const bundle = async (config: SwitchyardConfig): Promise<string> => {
      const result = await build({ entryPoints: [handlerEntry('gateway')], bundle: true, write: false, platform: 'node', target: 'node22', format: 'cjs', minify: true, mainFields: ['module', 'main'], define: gatewayDefines(config), logLevel: 'silent' });
      return result.outputFiles[0]?.text ?? '';
    };
    const { bedrock: _bedrock, ...withoutBedrock } = testConfig.providers;
    expect(gatewayDefines(testConfig)).toHaveProperty('__SWITCHYARD_USES_BEDROCK__', 'true');
    expect(gatewayDefines({ ...testConfig, providers: withoutBedrock })).toHaveProperty('__SWITCHYARD_USES_BEDROCK__', 'false');
    const [full, lean] = await Promise.all([bundle(testConfig), bundle({ ...testConfig, providers: withoutBedrock, models: { smart: testConfig.models.smart! } })]);
    expect(full).toContain('ConverseStreamCommand');
    expect(lean).not.toContain('ConverseStreamCommand');
    expect(lean).not.toContain('bedrock-runtime');
    expect(full.length - lean.length).toBeGreaterThan(50 * 1024);
  }, 60_000);

  it('has no Bedrock permission when no target uses Bedrock', () => {
    const stack = bareStack();
    const config = { ...testConfig, models: { smart: testConfig.models.smart! } };
    new GatewayFunction(stack, 'Gateway', { config, stage: 'dev', logRetention: RetentionDays.ONE_MONTH });
    Template.fromStack(stack).resourceCountIs('AWS::IAM::Policy', 0);
  });
});

describe('KeyAuthorizer', () => {
  it('is a REQUEST authorizer on the Authorization header with a 60-second result cache', () => {
    const stack = bareStack();
    const authorizer = new KeyAuthorizer(stack, 'Auth', { stage: 'dev', logRetention: RetentionDays.ONE_WEEK });
    // An authorizer only synthesizes once a method uses it.
    new RestApi(stack, 'Api').root.addMethod('GET', new MockIntegration(), { authorizer: authorizer.authorizer });
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 60,
      AuthorizerUri: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('/invocations$')])] }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Architectures: ['arm64'], Timeout: 10, MemorySize: 256 });
  });
});
