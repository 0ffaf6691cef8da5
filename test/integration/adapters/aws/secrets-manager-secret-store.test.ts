import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerSecretStore } from '../../../../functions/adapters/aws/secrets-manager-secret-store';
import type { LogFields } from '../../../../functions/core/ports/logger';
import { startFakeSecretsManager } from '../../../helpers/fake-secrets-manager';
import type { FakeSecretsManager } from '../../../helpers/fake-secrets-manager';

describe('SecretsManagerSecretStore', () => {
  let fake: FakeSecretsManager;
  const warnings: Array<[string, LogFields | undefined]> = [];

  beforeAll(async () => {
    fake = await startFakeSecretsManager();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.secrets.clear();
    fake.requests.length = 0;
    fake.failing = false;
    warnings.length = 0;
  });

  function store(maxAgeSeconds: number): SecretsManagerSecretStore {
    const client = new SecretsManagerClient({
      endpoint: fake.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (m: string, f?: LogFields) => void warnings.push([m, f]) };
    return new SecretsManagerSecretStore({ provider: new SecretsProvider({ awsSdkV3Client: client }), prefix: 'switchyard/prod/', maxAgeSeconds, logger });
  }

  it('reads the secret named <prefix><apiKeySecret>', async () => {
    fake.secrets.set('switchyard/prod/openai', 'sk-live-1');
    await expect(store(60).get('openai')).resolves.toBe('sk-live-1');
    expect(fake.requests).toEqual(['switchyard/prod/openai']);
  });

  it('serves repeated reads within maxAge from cache', async () => {
    fake.secrets.set('switchyard/prod/openai', 'sk-live-1');
    const secrets = store(60);
    await secrets.get('openai');
    await secrets.get('openai');
    expect(fake.requests).toHaveLength(1);
  });

  it.each([
    ['a secret created without a value', (f: FakeSecretsManager) => f.secrets.set('switchyard/prod/openai', undefined)],
    ['an unknown secret', () => undefined],
  ])('answers undefined for %s', async (_name, arrange) => {
    arrange(fake);
    await expect(store(60).get('openai')).resolves.toBeUndefined();
  });

  it('keeps serving the last value when Secrets Manager fails after warm-up', async () => {
    fake.secrets.set('switchyard/prod/openai', 'sk-live-1');
    const secrets = store(0);
    await secrets.get('openai');
    fake.failing = true;
    await expect(secrets.get('openai')).resolves.toBe('sk-live-1');
    expect(warnings.map(([message]) => message)).toEqual(['secret refresh failed; serving the last value read']);
  });

  it('fails when Secrets Manager is down before any value was read', async () => {
    fake.failing = true;
    await expect(store(60).get('openai')).rejects.toThrow();
  });

  it('picks up a rotated value once the cache expires', async () => {
    fake.secrets.set('switchyard/prod/openai', 'sk-old');
    const secrets = store(0);
    await secrets.get('openai');
    fake.secrets.set('switchyard/prod/openai', 'sk-new');
    await expect(secrets.get('openai')).resolves.toBe('sk-new');
  });
});
