import { Template, Match } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { ProviderSecrets } from '../../../lib/constructs/provider-secrets';
import { bareStack, testConfig } from '../fixtures';

/** The first group of the stack id's UUID, as CloudFormation evaluates it. */
const STACK_INSTANCE_SUFFIX = { 'Fn::Select': [0, { 'Fn::Split': ['-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }] }] };

describe('ProviderSecrets', () => {
  it('creates one empty secret per distinct apiKeySecret, named switchyard/<stage>-<stack instance>/<NAME>, kept on delete but not after a failed create, and names each in an output', () => {
    const stack = bareStack();
    new ProviderSecrets(stack, 'Secrets', { stage: 'dev', providers: testConfig.providers });
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    for (const name of ['openai', 'anthropic']) {
      const secretName = { 'Fn::Join': ['', ['switchyard/dev-', STACK_INSTANCE_SUFFIX, `/${name}`]] };
      template.hasResource('AWS::SecretsManager::Secret', {
        DeletionPolicy: 'RetainExceptOnCreate',
        UpdateReplacePolicy: 'Retain',
        Properties: { Name: secretName, Description: Match.anyValue(), GenerateSecretString: Match.absent(), SecretString: Match.absent() },
      });
      template.hasOutput(`ProviderSecret${name}`, { Value: secretName });
    }
  });

  it('bindTo sets the prefix and grants GetSecretValue on exactly these secrets', () => {
    const stack = bareStack();
    const secrets = new ProviderSecrets(stack, 'Secrets', { stage: 'dev', providers: testConfig.providers });
    const fn = new LambdaFunction(stack, 'Fn', { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('exports.handler=()=>{}') });
    secrets.bindTo(fn);
    const template = Template.fromStack(stack);
    const refs = ['anthropic', 'openai'].map((name) => ({ Ref: stack.getLogicalId(secrets.secrets.get(name)!.node.defaultChild as never) }));

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { SWITCHYARD_SECRET_PREFIX: { 'Fn::Join': ['', ['switchyard/dev-', STACK_INSTANCE_SUFFIX, '/']] } } },
    });
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
