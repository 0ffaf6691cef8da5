import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { createKeyRecord } from '../core/keys/new-key';
import { createConsoleLogger } from '../adapters/local/console-logger';
import { createLocalGateway } from '../adapters/local/local-gateway';
import { startLocalServer, type LocalServer } from '../adapters/local/node-http-server';
import { dataDirOf, type CliIo } from './cli-io';
import { parseConfigText } from '../providers/config';

/** Options of a started local server (returned for tests and the bench). */
export interface ServeResult {
  server: LocalServer;
  devKey: string | undefined;
  /** Stops the server, lets in-flight work finish and closes the data files. */
  stop(): Promise<void>;
}

/**
 * `switchyard serve`: loads and validates the config, wires the local adapters, listens, prints
 * `Switchyard listening on http://HOST:PORT`, and on first start (no keys yet) creates a dev key
 * and prints it with ready-to-paste examples. Auth is always on.
 */
export async function serveCommand(args: string[], io: CliIo): Promise<ServeResult> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', default: 'switchyard.config.json' },
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
    },
  });
  const configPath = resolve(io.cwd, values.config);
  const config = parseConfigText(await readFile(configPath, 'utf8'));
  const dataDir = resolve(io.cwd, dataDirOf(values['data-dir'], io));
  const logger = createConsoleLogger(values['log-level'] as 'info', (line) => io.stderr(line + '\n'));
  const local = createLocalGateway({ config, dataDir, env: io.env, logger });

  let devKey: string | undefined;
  if ((await local.keyStore.list()).length === 0) {
    const created = await createKeyRecord({ name: 'dev' }, new Date());
    await local.keyStore.put(created.record);
    devKey = created.key;
  }
  // Reservations a killed earlier run left behind are released (once expired) before serving.
  await local.startSweeper();
  const server = await startLocalServer(local.gateway, { host: values.host, port: Number(values.port), maxHeaderSize: config.limits.maxHeaderBytes, maxBodyBytes: config.limits.maxBodyBytes });
  io.stdout(`Switchyard listening on ${server.url} (config ${configPath}, data ${dataDir})\n`);
  const exampleModel = Object.keys(config.models)[0] ?? 'MODEL';
  if (devKey) {
    io.stdout(examples(server.url, devKey, exampleModel));
  } else {
    io.stdout(`Keys exist in ${dataDir}. Create another with: npx switchyard keys create --name NAME\n`);
  }
  return {
    server,
    devKey,
    stop: async () => {
      await server.close();
      await local.close();
    },
  };
}

function examples(url: string, key: string, model: string): string {
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'Say hello' }] });
  const messagesBody = JSON.stringify({ model, max_tokens: 256, messages: [{ role: 'user', content: 'Say hello' }] });
  const responsesBody = JSON.stringify({ model, input: 'Say hello' });
  return `
Dev key (shown once, stored only as a hash): ${key}

Try it with curl (OpenAI Chat Completions):
  curl -s ${url}/v1/chat/completions -H "Authorization: Bearer ${key}" -H "Content-Type: application/json" -d '${body}'

Or with the OpenAI SDK (Node):
  const client = new OpenAI({ baseURL: '${url}/v1', apiKey: '${key}' });
  const reply = await client.chat.completions.create({ model: '${model}', messages: [{ role: 'user', content: 'Say hello' }] });

Or (Python): OpenAI(base_url="${url}/v1", api_key="${key}")

The OpenAI Responses API (Codex CLI, the Agents SDK, the Vercel AI SDK):
  curl -s ${url}/v1/responses -H "Authorization: Bearer ${key}" -H "Content-Type: application/json" -d '${responsesBody}'

The Anthropic Messages API (the Anthropic SDK, Claude Code):
  curl -s ${url}/v1/messages -H "x-api-key: ${key}" -H "anthropic-version: 2023-06-01" -H "Content-Type: application/json" -d '${messagesBody}'
  ANTHROPIC_BASE_URL=${url} ANTHROPIC_AUTH_TOKEN=${key} claude
`;
}
