import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A Secrets Manager stand-in speaking AWS JSON 1.1 (`GetSecretValue` only). */
export interface FakeSecretsManager {
  /** Endpoint for `AWS_ENDPOINT_URL_SECRETS_MANAGER` or a client's `endpoint`. */
  readonly url: string;
  /** Secret values by name; a name present with `undefined` is a secret with no value yet. */
  readonly secrets: Map<string, string | undefined>;
  /** Names requested, in order. */
  readonly requests: string[];
  /** While true, every call answers 500 `InternalServiceError` (an outage). */
  failing: boolean;
  close(): Promise<void>;
}

/**
 * Starts a Secrets Manager test server on 127.0.0.1. It answers `secretsmanager.GetSecretValue`
 * like the service: the value with `AWSCURRENT`, `ResourceNotFoundException` for an unknown secret
 * or one without a value, so the real SDK client can be pointed at it.
 */
export async function startFakeSecretsManager(initial: Record<string, string | undefined> = {}): Promise<FakeSecretsManager> {
  const secrets = new Map(Object.entries(initial));
  const requests: string[] = [];
  const state = { failing: false };
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      const reply = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${requests.length}` });
        res.end(JSON.stringify(body));
      };
      if (state.failing) return reply(500, { __type: 'InternalServiceError', message: 'Service unavailable (test outage).' });
      if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
        return reply(400, { __type: 'UnknownOperationException', message: `Unsupported target ${String(req.headers['x-amz-target'])}` });
      }
      const { SecretId } = JSON.parse(Buffer.concat(parts).toString('utf8')) as { SecretId: string };
      requests.push(SecretId);
      const value = secrets.get(SecretId);
      if (value === undefined) {
        const message = secrets.has(SecretId)
          ? "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"
          : "Secrets Manager can't find the specified secret.";
        return reply(400, { __type: 'ResourceNotFoundException', message });
      }
      return reply(200, {
        ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${SecretId}-AbCdEf`,
        Name: SecretId,
        SecretString: value,
        VersionId: '00000000-0000-4000-8000-000000000000',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: Date.now() / 1000,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    secrets,
    requests,
    get failing() {
      return state.failing;
    },
    set failing(value: boolean) {
      state.failing = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
