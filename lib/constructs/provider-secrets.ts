import { CfnOutput, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnSecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ProviderConfig } from '../../functions/core/config/schema';
import { FunctionEnv, providerSecretOutputId } from '../../functions/deployment-names';
import { stackInstanceSuffix } from './stack-instance';

/** Props of {@link ProviderSecrets}. */
export interface ProviderSecretsProps {
  /** Deployment stage; part of every secret name (`switchyard/<stage>-<suffix>/<NAME>`). */
  readonly stage: string;
  /** The configured providers; every distinct `apiKeySecret` gets one secret. */
  readonly providers: Readonly<Record<string, ProviderConfig>>;
  /**
   * What happens to the secrets when they leave the stack (default RETAIN_ON_UPDATE_OR_DELETE:
   * operators set them by hand, so a `cdk destroy` keeps them; a rolled-back first deploy does not).
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * One Secrets Manager secret per provider API key named in the config. The stack creates each
 * secret empty (no generated value, nothing in the template or in git); the operator sets it with
 * `aws secretsmanager put-secret-value`. Names are `switchyard/<stage>-<suffix>/<NAME>`, where the
 * suffix is unique to this stack instance ({@link stackInstanceSuffix}): a deleted secret keeps its
 * name reserved for its 7–30 day recovery window and a retained one keeps it for good, so a fixed
 * name would block the next deploy. Each name is a stack output (`ProviderSecret<NAME>`), and the
 * bound function gets the common prefix, so `apiKeySecret` resolves without a lookup table.
 */
export class ProviderSecrets extends Construct {
  /** The secrets, by their `apiKeySecret` name. */
  readonly secrets: ReadonlyMap<string, Secret>;
  /** `switchyard/<stage>-<suffix>/` (a CloudFormation expression). */
  readonly prefix: string;

  constructor(scope: Construct, id: string, props: ProviderSecretsProps) {
    super(scope, id);
    this.prefix = `switchyard/${props.stage}-${stackInstanceSuffix()}/`;
    const names = [...new Set(Object.values(props.providers).flatMap((p) => (p.apiKeySecret ? [p.apiKeySecret] : [])))].sort();
    const secrets = new Map<string, Secret>();
    for (const name of names) {
      const secret = new Secret(this, `Secret-${name}`, {
        secretName: `${this.prefix}${name}`,
        description: `Switchyard provider API key '${name}' (stage ${props.stage}); set its value with put-secret-value.`,
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      });
      // The L2 always generates a random value when none is given; without either property
      // CloudFormation creates the secret with no value, which is what an operator-set key needs.
      (secret.node.defaultChild as CfnSecret).addPropertyDeletionOverride('GenerateSecretString');
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'Provider API keys are issued by the provider (OpenAI, Anthropic…): they are rotated in its console and stored with put-secret-value; no rotation function can mint them.',
      });
      secrets.set(name, secret);
      new CfnOutput(Stack.of(this), providerSecretOutputId(name), {
        value: `${this.prefix}${name}`,
        description: `Secrets Manager secret of provider key '${name}': aws secretsmanager put-secret-value --secret-id <this> --secret-string …`,
      });
    }
    this.secrets = secrets;
  }

  /**
   * Lets `fn` read the provider keys: sets the name-prefix variable and grants
   * `secretsmanager:GetSecretValue` on exactly these secrets (nothing when no provider needs one).
   */
  bindTo(fn: LambdaFunction): void {
    fn.addEnvironment(FunctionEnv.SecretPrefix, this.prefix);
    if (this.secrets.size === 0) return;
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [...this.secrets.values()].map((s) => s.secretArn),
      }),
    );
  }
}
