import { Template, Match } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { ProviderSecrets } from '../../../lib/constructs/provider-secrets';
import { bareStack, testConfig } from '../fixtures';

describe('ProviderSecrets', () => {
  it('creates one empty secret per distinct apiKeySecret, named switchyard/<stage>/<NAME>', () => {
    const stack = bareStack();
    new ProviderSecrets(stack, 'Secrets', { stage: 'dev', providers: testConfig.providers });
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    for (const name of ['switchyard/dev/openai', 'switchyard/dev/anthropic']) {
      template.hasResource('AWS::SecretsManager::Secret', {
        DeletionPolicy: 'Retain',
        Properties: { Name: name, Description: Match.anyValue(), GenerateSecretString: Match.absent(), SecretString: Match.absent() },
      });
    }
  });

  it('bindTo sets the prefix and grants GetSecretValue on exactly these secrets', () => {
    const stack = bareStack();
    const secrets = new ProviderSecrets(stack, 'Secrets', { stage: 'dev', providers: testConfig.providers });
    const fn = new LambdaFunction(stack, 'Fn', { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('exports.handler=()=>{}') });
    secrets.bindTo(fn);
    const template = Template.fromStack(stack);
    const refs = ['anthropic', 'openai'].map((name) => ({ Ref: stack.getLogicalId(secrets.secrets.get(name)!.node.defaultChild as never) }));

    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { SWITCHYARD_SECRET_PREFIX: 'switchyard/dev/' } } });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: refs }] },
    });
  });

  it('grants nothing when no provider needs a secret', () => {
    const stack = bareStack();
    const secrets = new ProviderSecrets(stack, 'Secrets', { stage: 'dev', providers: { demo: { type: 'mock' } } });
    const fn = new LambdaFunction(stack, 'Fn', { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('exports.handler=()=>{}') });
    secrets.bindTo(fn);
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });
});
