import { Token } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { SwitchyardConfig } from '../../functions/core/config/schema';

// Cross-region inference profile ids carry a geography prefix (`us.anthropic.claude-…`).
const INFERENCE_PROFILE_PREFIX = /^(us|eu|apac|global|us-gov|jp|au|ca)\./;

/** The Bedrock model ids the config routes to, sorted and distinct. */
function bedrockModelIds(config: SwitchyardConfig): string[] {
  const bedrockProviders = new Set(Object.entries(config.providers).filter(([, p]) => p.type === 'bedrock').map(([name]) => name));
  const ids = Object.values(config.models).flatMap((m) =>
    m.targets.flatMap((t) => (t.provider && t.model && bedrockProviders.has(t.provider) ? [t.model] : [])),
  );
  return [...new Set(ids)].sort();
}

/** The Bedrock grant and, for cdk-nag, the region-wildcard resources in its rendered form. */
export interface BedrockAccess {
  statement: PolicyStatement;
  /** Resources with a region wildcard, as cdk-nag names them (`arn:<AWS::Partition>:…`). */
  wildcardResources: string[];
}

/**
 * The IAM statement that lets the gateway invoke exactly the Bedrock models the config names
 * (Bedrock authenticates with the function role, not a secret), or `undefined` when no target
 * uses Bedrock. An inference profile also needs the foundation model in every region it routes
 * to, hence the region wildcard on model ARNs.
 */
export function bedrockInvokeStatement(stack: Stack, config: SwitchyardConfig): BedrockAccess | undefined {
  const ids = bedrockModelIds(config);
  if (ids.length === 0) return undefined;
  const arns = (partition: string, account: string): string[] =>
    ids.flatMap((id) => {
      if (id.startsWith('arn:')) return [id];
      const profile = INFERENCE_PROFILE_PREFIX.exec(id);
      const foundation = `arn:${partition}:bedrock:*::foundation-model/${profile ? id.slice(profile[0].length) : id}`;
      return profile ? [`arn:${partition}:bedrock:*:${account}:inference-profile/${id}`, foundation] : [foundation];
    });
  const nagAccount = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  // With the partition-literals feature flag the partition is known at synthesis.
  const nagPartition = Token.isUnresolved(stack.partition) ? '<AWS::Partition>' : stack.partition;
  return {
    statement: new PolicyStatement({ actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'], resources: arns(stack.partition, stack.account) }),
    wildcardResources: arns(nagPartition, nagAccount).filter((arn) => arn.includes(':bedrock:*:')),
  };
}
