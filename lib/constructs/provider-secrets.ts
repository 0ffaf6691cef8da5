import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnSecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ProviderConfig } from '../../functions/core/config/schema';

/** Props of {@link ProviderSecrets}. */
export interface ProviderSecretsProps {
  /** Deployment stage; part of every secret name (`switchyard/<stage>/<NAME>`). */
  readonly stage: string;
  /** The configured providers; every distinct `apiKeySecret` gets one secret. */
  readonly providers: Readonly<Record<string, ProviderConfig>>;
  /** What happens to the secrets when they leave the stack (default RETAIN: operators set them by hand). */
  readonly removalPolicy?: RemovalPolicy;
}

/** The Secrets Manager name prefix of a stage's provider secrets. */
export function providerSecretPrefix(stage: string): string {
  return `switchyard/${stage}/`;
}

/**
 * One Secrets Manager secret per provider API key named in the config. The stack creates each
 * secret empty (no generated value, nothing in the template or in git); the operator sets it with
 * `aws secretsmanager put-secret-value`. The name is derived from the stage and the config so the
 * gateway can resolve `apiKeySecret` without a lookup table.
 */
export class ProviderSecrets extends Construct {
  /** Environment variable that carries the name prefix into a bound function. */
  static readonly PREFIX_ENV = 'SWITCHYARD_SECRET_PREFIX';

  /** The secrets, by their `apiKeySecret` name. */
  readonly secrets: ReadonlyMap<string, Secret>;
  /** `switchyard/<stage>/`. */
  readonly prefix: string;

  constructor(scope: Construct, id: string, props: ProviderSecretsProps) {
    super(scope, id);
    this.prefix = providerSecretPrefix(props.stage);
    const names = [...new Set(Object.values(props.providers).flatMap((p) => (p.apiKeySecret ? [p.apiKeySecret] : [])))].sort();
    const secrets = new Map<string, Secret>();
    for (const name of names) {
      const secret = new Secret(this, `Secret-${name}`, {
        secretName: `${this.prefix}${name}`,
        description: `Switchyard provider API key '${name}' (stage ${props.stage}); set its value with put-secret-value.`,
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      });
      // The L2 always generates a random value when none is given; without either property
      // CloudFormation creates the secret with no value, which is what an operator-set key needs.
      (secret.node.defaultChild as CfnSecret).addPropertyDeletionOverride('GenerateSecretString');
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'Provider API keys are issued by the provider (OpenAI, Anthropic…): they are rotated in its console and stored with put-secret-value; no rotation function can mint them.',
      });
      secrets.set(name, secret);
    }
    this.secrets = secrets;
  }

  /**
   * Lets `fn` read the provider keys: sets the name-prefix variable and grants
   * `secretsmanager:GetSecretValue` on exactly these secrets (nothing when no provider needs one).
   */
  bindTo(fn: LambdaFunction): void {
    fn.addEnvironment(ProviderSecrets.PREFIX_ENV, this.prefix);
    if (this.secrets.size === 0) return;
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [...this.secrets.values()].map((s) => s.secretArn),
      }),
    );
  }
}
