import { Annotations, Duration, Stack, Validations } from 'aws-cdk-lib';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { SwitchyardConfig } from '../../functions/core/config/schema';
import { prepareDeployedConfig } from '../deployed-config';
import { bedrockInvokeStatement } from './bedrock-access';
import { acknowledgeFunctionFindings, handlerEntry, switchyardFunctionProps } from './function-defaults';

/** The global identifier the gateway bundle reads its routing config from. */
const CONFIG_DEFINE = '__SWITCHYARD_CONFIG__';
/** The global identifier that tells the gateway bundle whether to carry the Bedrock provider. */
const USES_BEDROCK_DEFINE = '__SWITCHYARD_USES_BEDROCK__';

/**
 * The esbuild defines of the gateway bundle: the validated config, and whether any of its
 * providers is Bedrock (when none is, the Bedrock provider and its SDK client are left out).
 */
export function gatewayDefines(config: SwitchyardConfig): Record<string, string> {
  const usesBedrock = Object.values(config.providers).some((provider) => provider.type === 'bedrock');
  return { [CONFIG_DEFINE]: JSON.stringify(config), [USES_BEDROCK_DEFINE]: String(usesBedrock) };
}

/** Props of {@link GatewayFunction}. */
export interface GatewayFunctionProps {
  /** The validated routing config, compiled into the bundle. */
  readonly config: SwitchyardConfig;
  readonly stage: string;
  readonly logRetention: RetentionDays;
  /** Reserved concurrency; caps spend on the providers and protects the account's pool. */
  readonly reservedConcurrency?: number;
  /** Memory in MB (default 1024: CPU scales with memory and TLS to providers is CPU-bound). */
  readonly memorySize?: number;
  /** Entry point override (tests); default `functions/handlers/gateway.ts`. */
  readonly entry?: string;
  /** Allow routes to the mock provider or loopback addresses (test stacks only; default false). */
  readonly allowDevProviders?: boolean;
  /** Active AWS X-Ray tracing (default false). */
  readonly tracing?: boolean;
}

/**
 * The streaming gateway Lambda. The routing config is compiled into the bundle as an esbuild
 * define: it has no 4 KB environment limit, needs no read at cold start, and a config change is a
 * code change, so `cdk deploy` publishes it atomically. Bedrock access comes from the role.
 */
export class GatewayFunction extends Construct {
  /** The function. */
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: GatewayFunctionProps) {
    super(scope, id);
    const deployed = prepareDeployedConfig(props.config, { allowDevProviders: props.allowDevProviders ?? false });
    for (const warning of deployed.warnings) Annotations.of(this).addWarningV2('switchyard:config', warning);
    this.fn = new NodejsFunction(
      this,
      'Function',
      switchyardFunctionProps(this, 'Function', {
        entry: props.entry ?? handlerEntry('gateway'),
        description: `Switchyard gateway (${props.stage}): OpenAI-compatible API, streaming responses`,
        memorySize: props.memorySize ?? 1024,
        // API Gateway streams for at most 15 minutes; long generations need all of it.
        timeout: Duration.minutes(15),
        logRetention: props.logRetention,
        reservedConcurrentExecutions: props.reservedConcurrency,
        tracing: props.tracing,
        define: gatewayDefines(deployed.config),
        environment: { SWITCHYARD_STAGE: props.stage, POWERTOOLS_METRICS_NAMESPACE: 'Switchyard' },
      }),
    );
    acknowledgeFunctionFindings(this.fn, { tracing: props.tracing });
    const bedrock = bedrockInvokeStatement(Stack.of(this), props.config);
    if (bedrock) {
      this.fn.addToRolePolicy(bedrock.statement);
      for (const resource of bedrock.wildcardResources) {
        Validations.of(this.fn).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${resource}]`,
          reason: 'Bedrock cross-region inference routes a call to any region of its geography; the grant is limited to the one model id the config routes to.',
        });
      }
    }
  }
}
