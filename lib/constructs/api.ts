import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { IAuthorizer } from 'aws-cdk-lib/aws-apigateway';
import {
  AccessLogFormat,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  ResponseTransferMode,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { IConstruct } from 'constructs';
import { openAiErrorTemplate } from './api-error-templates';
import { StageWaf } from './stage-waf';

/** Props of {@link SwitchyardApi}. */
export interface SwitchyardApiProps {
  /** The streaming gateway function behind `/v1/{proxy+}` and `/health`. */
  readonly gateway: IFunction;
  /** The virtual-key authorizer for `/v1/…`. */
  readonly authorizer: IAuthorizer;
  /** API Gateway stage name (part of the URL). */
  readonly stageName: string;
  readonly logRetention: RetentionDays;
  /** Stage-wide steady requests per second (default 100). */
  readonly throttlingRateLimit?: number;
  /** Stage-wide burst (default 200). */
  readonly throttlingBurstLimit?: number;
  /** Attach an AWS WAF web ACL to the stage (default false). */
  readonly enableWaf?: boolean;
  /**
   * Create the account-level API Gateway CloudWatch role (`AWS::ApiGateway::Account`), which
   * replaces the role every REST API of the account and region logs with (default false).
   * Implies {@link accessLogs}.
   */
  readonly createCloudWatchRole?: boolean;
  /**
   * JSON access logs and ERROR execution logs for the stage (default: on when
   * {@link createCloudWatchRole} is). They need the account-level role: without one, API Gateway
   * refuses to deploy a stage that logs, so turn this on alone only where the role already exists.
   */
  readonly accessLogs?: boolean;
  /** Trace requests with AWS X-Ray (default false). */
  readonly tracing?: boolean;
}

/** How long a streamed generation may run: API Gateway's maximum for streamed responses. */
const STREAM_INTEGRATION_TIMEOUT = Duration.minutes(15);

/**
 * The public REST API: REGIONAL (edge-optimized endpoints close idle streams after 30 s), every
 * `/v1/…` call proxied to the gateway function in STREAM transfer mode behind the key authorizer
 * (the Messages API routes, `/v1/messages` and `/v1/messages/count_tokens`, authenticated by the
 * gateway function itself), `GET /health` and `GET`/`HEAD /` without auth, JSON access logs with the streaming timing variables, stage
 * throttling, OpenAI-shaped error bodies for API Gateway's own rejections, and optional WAF.
 */
export class SwitchyardApi extends Construct {
  /** The REST API. */
  readonly api: RestApi;
  /** The access log group, when access logs are on. */
  readonly accessLogs?: LogGroup;
  /** The OpenAI `base_url` clients use (`…/<stage>/v1`). */
  readonly baseUrl: string;
  /** The web ACL, when enabled. */
  readonly waf?: StageWaf;

  constructor(scope: Construct, id: string, props: SwitchyardApiProps) {
    super(scope, id);
    const createRole = props.createCloudWatchRole ?? false;
    const logging = props.accessLogs ?? createRole;
    if (logging) this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.api = new RestApi(this, 'Api', {
      // API Gateway metrics are keyed by API name: one unique to this stack keeps its alarms
      // from watching every other API that kept the default name.
      // (the stack name is unique in the account and region).
      restApiName: `${Stack.of(this).stackName}-api`,
      description: 'Switchyard LLM gateway (OpenAI-compatible)',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // The account-level role is account-wide state (it replaces an existing setting and some
      // SCPs forbid it): created only on request.
      cloudWatchRole: createRole,
      deployOptions: {
        stageName: props.stageName,
        throttlingRateLimit: props.throttlingRateLimit ?? 100,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 200,
        metricsEnabled: true,
        tracingEnabled: props.tracing ?? false,
        ...(this.accessLogs
          ? {
              loggingLevel: MethodLoggingLevel.ERROR,
              accessLogDestination: new LogGroupLogDestination(this.accessLogs),
              accessLogFormat: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
            }
          : { loggingLevel: MethodLoggingLevel.OFF }),
      },
    });
    // The L2's own `Endpoint` output repeats the stack's ApiUrl output.
    this.api.node.tryRemoveChild('Endpoint');

    const streaming = (timeout: Duration): LambdaIntegration =>
      new LambdaIntegration(props.gateway, { responseTransferMode: ResponseTransferMode.STREAM, timeout, allowTestInvoke: false });
    const health = this.api.root.addResource('health').addMethod('GET', streaming(Duration.seconds(29)));
    // Claude Code probes the root of its base URL before its first request.
    const root = ['GET', 'HEAD'].map((method) => this.api.root.addMethod(method, streaming(Duration.seconds(29))));
    const v1 = this.api.root.addResource('v1');
    const proxy = v1.addProxy({
      anyMethod: true,
      defaultIntegration: streaming(STREAM_INTEGRATION_TIMEOUT),
      defaultMethodOptions: { authorizer: props.authorizer },
    });
    // The Messages API and the model list (which the Anthropic SDK also reads): the Anthropic SDK
    // and Claude Code send the key as `x-api-key` or as a bearer token, and API Gateway can cache
    // an authorizer's verdict only over headers that are all present; so on these routes the
    // gateway function authenticates the key itself (as it does locally), answering a bad key in
    // the caller's protocol's envelope.
    const messages = v1.addResource('messages');
    const models = v1.addResource('models');
    const anthropicRoutes = [
      ...[messages, messages.addResource('count_tokens')].map((resource) => resource.addMethod('POST', streaming(STREAM_INTEGRATION_TIMEOUT))),
      ...[models, models.addResource('{model+}')].map((resource) => resource.addMethod('GET', streaming(Duration.seconds(29)))),
    ];

    for (const [name, type, status, errorType, code] of GATEWAY_RESPONSES) {
      this.api.addGatewayResponse(name, {
        type,
        statusCode: status,
        templates: { 'application/json': openAiErrorTemplate(errorType, code) },
      });
    }

    this.baseUrl = `${this.api.url}v1`;
    if (props.enableWaf) this.waf = new StageWaf(this, 'Waf', { stageArn: this.api.deploymentStage.stageArn });
    this.acknowledgeFindings([health, ...root], anthropicRoutes, proxy, { waf: props.enableWaf === true, logging, createRole });
  }

  private acknowledgeFindings(probes: IConstruct[], anthropicRoutes: IConstruct[], proxy: IConstruct, options: { waf: boolean; logging: boolean; createRole: boolean }): void {
    const { waf, logging, createRole } = options;
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason: 'The gateway validates every body against the OpenAI request schema and answers in the OpenAI error format; API Gateway models would answer in another format.',
    });
    if (createRole) {
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason: 'The account-level role API Gateway needs for access and execution logs; only API Gateway can assume it.',
      });
    }
    if (!logging) {
      const reason = 'Access and execution logs need the account-level API Gateway CloudWatch role, account-wide state this stack creates only on request (context apiGatewayCloudWatchRole=true) or uses where it exists (apiAccessLogs=true); the gateway function logs every failed request and writes a usage event for every request either way.';
      Validations.of(this.api).acknowledge({ id: 'AwsSolutions-APIG1', reason });
      Validations.of(this.api).acknowledge({ id: 'AwsSolutions-APIG6', reason });
    }
    for (const probe of probes) {
      Validations.of(probe).acknowledge({ id: 'AwsSolutions-APIG4', reason: 'GET /health and GET or HEAD / are public liveness probes that return no data.' });
      Validations.of(probe).acknowledge({ id: 'AwsSolutions-COG4', reason: 'GET /health and GET or HEAD / are public liveness probes that return no data.' });
    }
    for (const route of anthropicRoutes) {
      const reason = 'The gateway function authenticates the virtual key of every Messages API and model-list request itself (x-api-key or bearer token, hashed and looked up in the keys table) and refuses a missing or bad key with 401 before any other work.';
      Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason });
      Validations.of(route).acknowledge({ id: 'AwsSolutions-COG4', reason });
    }
    Validations.of(proxy).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'Clients are OpenAI SDKs that send a Switchyard virtual key as a bearer token; the Lambda REQUEST authorizer verifies it.',
    });
    if (!waf) {
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason: 'WAF is opt-in (context enableWaf=true) because it bills per request; every call already needs a virtual key and the stage is throttled.',
      });
    }
  }
}

// API Gateway answers some requests itself (missing/invalid key, throttling, WAF, timeouts);
// OpenAI SDKs only map errors to the right class when the body is the OpenAI envelope.
const GATEWAY_RESPONSES: ReadonlyArray<[string, ResponseType, string | undefined, string, string | null]> = [
  ['Unauthorized', ResponseType.UNAUTHORIZED, '401', 'authentication_error', 'invalid_api_key'],
  ['AccessDenied', ResponseType.ACCESS_DENIED, '403', 'permission_error', null],
  ['Throttled', ResponseType.THROTTLED, '429', 'rate_limit_error', 'rate_limit_exceeded'],
  // API Gateway's own limit (10 MB); bodies between 6 and 10 MB fail the Lambda invocation (5xx)
  // unless WAF answers them first (StageWaf's OversizedBody rule).
  ['RequestTooLarge', ResponseType.REQUEST_TOO_LARGE, '413', 'invalid_request_error', 'request_too_large'],
  ['Default4xx', ResponseType.DEFAULT_4XX, undefined, 'invalid_request_error', null],
  ['Default5xx', ResponseType.DEFAULT_5XX, undefined, 'server_error', null],
];

const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  requestTime: '$context.requestTimeEpoch',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  path: '$context.path',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  keyId: '$context.authorizer.principalId',
  authorizerLatency: '$context.authorizer.latency',
  authorizerError: '$context.authorizer.error',
  errorMessage: '$context.error.message',
  errorResponseType: '$context.error.responseType',
  wafResponseCode: '$context.wafResponseCode',
  integrationStatus: '$context.integration.status',
  integrationError: '$context.integration.error',
  integrationLatency: '$context.integration.latency',
  // Streaming-specific: how the response was relayed and how fast its first bytes came.
  responseTransferMode: '$context.integration.responseTransferMode',
  timeToAllHeaders: '$context.integration.timeToAllHeaders',
  timeToFirstContent: '$context.integration.timeToFirstContent',
};
