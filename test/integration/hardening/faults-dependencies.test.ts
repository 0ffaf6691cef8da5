import { once } from 'node:events';
import { createServer } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoKeyStore } from '../../../functions/adapters/aws/dynamo-key-store';
import { DynamoSpendStore } from '../../../functions/adapters/aws/dynamo-spend-store';
import { SecretsManagerSecretStore } from '../../../functions/adapters/aws/secrets-manager-secret-store';
import type { LogFields, Logger } from '../../../functions/core/ports/logger';
import { sendJson, startFakeUpstream, type FakeUpstream } from '../../helpers/fake-upstream';
import { startFakeSecretsManager, type FakeSecretsManager } from '../../helpers/fake-secrets-manager';
import { assertOpenAiSchema } from '../../helpers/openai-schemas';
import { startCoreGateway } from '../../helpers/hardening/core-gateway';

/** A loopback port with nothing listening: every connection is refused. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

function unreachableDynamo(port: number): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 }),
  );
}

const completion = { id: 'c1', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'Hi', refusal: null }, finish_reason: 'stop', logprobs: null }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
const chat = (key: string, model = 'gpt') =>
  new Request('http://gateway.test/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }) });

describe('faults in the gateway dependencies', () => {
  let upstream: FakeUpstream;
  let port: number;
  beforeAll(async () => {
    upstream = await startFakeUpstream((_request, res) => sendJson(res, 200, completion));
    port = await closedPort();
  });
  afterAll(() => upstream.close());
  beforeEach(() => upstream.requests.splice(0));

  const config = () => ({ providers: { openai: { type: 'openai', baseUrl: `${upstream.url}/v1` } }, models: { gpt: { targets: [{ provider: 'openai', model: 'gpt-4o-mini' }] } } });

  describe('DynamoDB unavailable: fail closed', () => {
    it('the key table unreachable → 503, and no upstream call', async () => {
      const core = await startCoreGateway({ config: config(), keyStore: new DynamoKeyStore(unreachableDynamo(port), 'keys') });
      const response = await core.gateway(chat(core.key));
      expect(response.status).toBe(503);
      assertOpenAiSchema('ErrorResponse', await response.json());
      expect(upstream.requests).toEqual([]);
      await core.settled();
      expect(core.events).toMatchObject([{ status: 'error', http_status: 503 }]);
    });

    it('the spend table unreachable for a key with a budget → 503, and no upstream call', async () => {
      const core = await startCoreGateway({ config: config(), spendStore: new DynamoSpendStore(unreachableDynamo(port), 'spend') });
      core.record.budget = { usd: 10, period: 'month' };
      const response = await core.gateway(chat(core.key));
      expect(response.status).toBe(503);
      expect((await response.json()).error.type).toBe('service_unavailable');
      expect(upstream.requests).toEqual([]);
      await core.settled();
      expect(core.events).toMatchObject([{ status: 'error', http_status: 503, cost_micro_usd: 0 }]);
    });
  });

  describe('Secrets Manager unavailable', () => {
    let secretsManager: FakeSecretsManager;
    const warnings: string[] = [];
    const logger: Logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (message: string, _fields?: LogFields) => void warnings.push(message) };
    beforeEach(async () => {
      secretsManager = await startFakeSecretsManager({ 'switchyard/test/openai': 'provider-key-1' });
      warnings.length = 0;
    });
    afterEach(() => secretsManager.close());

    function secretStore(): SecretsManagerSecretStore {
      const client = new SecretsManagerClient({ endpoint: secretsManager.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
      // maxAge 0: every request refreshes, so each one after the outage really meets it.
      return new SecretsManagerSecretStore({ provider: new SecretsProvider({ awsSdkV3Client: client }), prefix: 'switchyard/test/', maxAgeSeconds: 0, logger });
    }
    const withSecret = () => ({ ...config(), providers: { openai: { type: 'openai', baseUrl: `${upstream.url}/v1`, apiKeySecret: 'openai' }, demo: { type: 'mock' } } });

    it('after warm-up, an outage and then a dead endpoint are served from the cached key', async () => {
      const core = await startCoreGateway({ config: withSecret(), secrets: secretStore() });
      expect((await core.gateway(chat(core.key))).status).toBe(200);
      secretsManager.failing = true;
      expect((await core.gateway(chat(core.key))).status).toBe(200);
      await secretsManager.close();
      expect((await core.gateway(chat(core.key))).status).toBe(200);
      expect(upstream.requests.map((request) => request.headers.authorization)).toEqual(Array(3).fill('Bearer provider-key-1'));
      expect(warnings).toHaveLength(2);
    });

    it('down before any read: the target fails with 503 and the route falls back', async () => {
      secretsManager.failing = true;
      const config = { ...withSecret(), models: { gpt: { targets: [{ provider: 'openai', model: 'gpt-4o-mini' }] }, safe: { targets: [{ provider: 'openai', model: 'gpt-4o-mini' }, { provider: 'demo', model: 'mock-1' }] } } };
      const core = await startCoreGateway({ config, secrets: secretStore() });
      const failed = await core.gateway(chat(core.key));
      expect(failed.status).toBe(503);
      expect((await failed.json()).error.code).toBe('secret_store_unavailable');
      const fellBack = await core.gateway(chat(core.key, 'safe'));
      expect(fellBack.status).toBe(200);
      expect(fellBack.headers.get('x-switchyard-provider')).toBe('demo');
      expect(upstream.requests).toEqual([]);
    });
  });
});
