import { Duration } from 'aws-cdk-lib';
import { IdentitySource, RequestAuthorizer } from 'aws-cdk-lib/aws-apigateway';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeFunctionFindings, handlerEntry, switchyardFunctionProps } from './function-defaults';

/** Props of {@link KeyAuthorizer}. */
export interface KeyAuthorizerProps {
  readonly stage: string;
  readonly logRetention: RetentionDays;
  /** How long API Gateway caches a key's verdict (default 60 s; revocation takes this long). */
  readonly cacheTtl?: Duration;
  /** Entry point override (tests); default `functions/handlers/authorizer.ts`. */
  readonly entry?: string;
  /** Active AWS X-Ray tracing (default false). */
  readonly tracing?: boolean;
}

/**
 * The Lambda REQUEST authorizer: resolves the `Authorization: Bearer sk-sy-…` virtual key to a
 * principal (key id, team, limits) that API Gateway passes to the gateway function as context,
 * so the gateway never looks the key up again. Verdicts are cached per header value.
 */
export class KeyAuthorizer extends Construct {
  /** The authorizer function. */
  readonly fn: NodejsFunction;
  /** The API Gateway authorizer to attach to methods. */
  readonly authorizer: RequestAuthorizer;

  constructor(scope: Construct, id: string, props: KeyAuthorizerProps) {
    super(scope, id);
    this.fn = new NodejsFunction(
      this,
      'Function',
      switchyardFunctionProps(this, 'Function', {
        entry: props.entry ?? handlerEntry('authorizer'),
        description: `Switchyard virtual-key authorizer (${props.stage})`,
        memorySize: 256,
        timeout: Duration.seconds(10),
        logRetention: props.logRetention,
        tracing: props.tracing,
        environment: { SWITCHYARD_STAGE: props.stage },
      }),
    );
    acknowledgeFunctionFindings(this.fn, { tracing: props.tracing });
    this.authorizer = new RequestAuthorizer(this, 'Authorizer', {
      handler: this.fn,
      identitySources: [IdentitySource.header('Authorization')],
      resultsCacheTtl: props.cacheTtl ?? Duration.seconds(60),
    });
  }
}
