import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { DynamoKeyStore } from '../../functions/adapters/aws/dynamo-key-store';
import { DynamoSpendStore } from '../../functions/adapters/aws/dynamo-spend-store';
import { keysTableSchema, responsesTableSchema, spendTableSchema } from '../../functions/adapters/aws/table-schemas';
import { keyScope } from '../../functions/core/ports/spend-store';
import type { GatewayResponseTemplate } from '../helpers/api-gateway-front';
import { dynamoDbLocal } from '../helpers/dynamodb-local';
import type { DynamoDbLocal } from '../helpers/dynamodb-local';
import { startFakeAlertTargets } from '../helpers/fake-alert-targets';
import { startFakeFirehose, type FakeFirehose } from '../helpers/fake-firehose';
import { startFakeSecretsManager } from '../helpers/fake-secrets-manager';
import type { FakeSecretsManager } from '../helpers/fake-secrets-manager';
import { startCountingProxy, type CountingProxy } from '../helpers/counting-proxy';
import { startFakeUpstream, writeInPieces } from '../helpers/fake-upstream';
import type { FakeUpstream } from '../helpers/fake-upstream';
import type { LambdaHostSpec } from '../helpers/lambda-host';
import type { LambdaInvokeSpec } from '../helpers/lambda-invoke';
import { copyToCleanFolder, nonBuiltinRequires } from '../helpers/clean-bundle-folder';
import { ANSWER_PREFIX, CODEX_EXEC, TASK_TOKEN, openAiAgentTurn, runClaudeCode, runCodex } from '../helpers/coding-agent';
import { assertOpenAiSchema } from '../helpers/openai-schemas';
import { resolveIntrinsics, synthApp } from '../helpers/synthesized-app';
import { FunctionEnv } from '../../functions/deployment-names';
import type { SynthesizedApp } from '../helpers/synthesized-app';

// End to end (issue 6 "Checked by"): the bundles `cdk synth` produced, copied to a folder with no
// node_modules above it and run under the emulated Lambda streaming runtime (on the Node binary
// named by SWITCHYARD_LAMBDA_NODE, the Lambda runtime's major version in CI) behind an emulated
// API Gateway, against DynamoDB Local, a Secrets Manager test server and a fake OpenAI upstream,
// driven by the official OpenAI SDK.

const PROJECT_ROOT = resolve(__dirname, '..', '..');
const STAGE = 'e2e';
const USAGE_STREAM = 'switchyard-e2e-usage';
const AUDIT_STREAM = 'switchyard-e2e-audit';
const UPSTREAM_KEY = 'sk-upstream-from-secrets-manager';
// input is free and output costs 1000 USD per 1M tokens (1000 micro-USD per token), so the
// reservation bound is max_tokens × 1000 whatever the prompt size and a reply of 5 tokens costs 5000.
const PRICE = { input: 0, output: 1000 };
const MAX_TOKENS = 10;
const REPLY_TOKENS = 5;
/**
 * Concurrent requests of the burst through the bundles. Lambda would give each its own execution
 * environment; this emulation serves them all from one process whose SDK client pools 50 sockets
 * (a call queued for one counts against the 2 s connection timeout) in front of DynamoDB Local on
 * two cores. At 300 that is what fails, not the budget; the 300-request burst itself runs on
 * DynamoDB Local in-process (test/integration/core/budget-concurrency.test.ts).
 */
const BURST = 150;
/** The budget-alert topic's ARN, as the alert function's environment names it. */
const ALERT_TOPIC = 'arn:aws:sns:us-east-1:123456789012:switchyard-e2e-budget-alerts';

/** A synthesized function's bundle, environment (resolved to the local services) and timeout. */
interface BundledFunction {
  name: string;
  bundle: string;
  env: Record<string, string>;
  timeoutMs: number;
}

/** A request whose prompt carries this gets a first chunk and then nothing: it outlives any timeout. */
const STALL = 'Keep thinking forever.';
/** How long after its (Lambda) deadline an unsettled reservation is released, in this stack's config. */
const RELEASE_GRACE_MS = 5_000;

jest.setTimeout(240_000);

/** The Node binary that plays the Lambda runtime: Node 24 in CI (.ci/run), else this process's. */
const LAMBDA_NODE = process.env.SWITCHYARD_LAMBDA_NODE || process.execPath;

function sseReply(model: string): string {
  const base = { id: 'chatcmpl-e2e', object: 'chat.completion.chunk', created: 1_700_000_000, model, system_fingerprint: null };
  const delta = (d: Record<string, unknown>, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta: d, logprobs: null, finish_reason: finish }] });
  const events = [
    delta({ role: 'assistant', content: '' }),
    delta({ content: 'Hello' }),
    delta({ content: ' from' }),
    delta({ content: ' upstream' }),
    delta({}, 'stop'),
    { ...base, choices: [], usage: { prompt_tokens: 12, completion_tokens: REPLY_TOKENS, total_tokens: 12 + REPLY_TOKENS } },
  ];
  return `${events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('')}data: [DONE]\n\n`;
}

/**
 * Starts the Lambda host process (test/helpers/lambda-host.ts) with the functions' environment
 * and resolves with its URL; `relayed` receives the body-piece count of each streamed response.
 */
async function startLambdaHost(spec: LambdaHostSpec, env: Record<string, string>, relayed: (pieces: number) => void = () => undefined): Promise<{ url: string; child: ChildProcess }> {
  const { NODE_PATH: _ignored, ...inherited } = process.env;
  const child = spawn(LAMBDA_NODE, ['--require', 'tsx/cjs', join(PROJECT_ROOT, 'test/helpers/lambda-host.ts')], {
    cwd: PROJECT_ROOT,
    // No NODE_PATH: the bundles must find nothing outside themselves.
    env: { ...inherited, ...env, SWITCHYARD_LAMBDA_HOST: JSON.stringify(spec) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolveUrl, reject) => {
    child.once('exit', (code) => reject(new Error(`lambda host exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const message = JSON.parse(line) as { url?: string; relayed?: number };
      if (message.url) resolveUrl({ url: message.url, child });
      if (message.relayed !== undefined) relayed(message.relayed);
    });
  });
}

describe('deployed bundles under the emulated Lambda streaming runtime', () => {
  let synth: SynthesizedApp;
  let dynamo: DynamoDbLocal;
  let secrets: FakeSecretsManager;
  let firehose: FakeFirehose;
  let upstream: FakeUpstream;
  let host: { url: string; child: ChildProcess };
  let gatewayBundle: string;
  let authorizerBundle: string;
  // The upstream holds the rest of its reply until this opens: a test can prove that the first
  // content reached the client while the upstream was still generating (nothing buffered).
  let upstreamGate: Promise<void> = Promise.resolve();
  // Body pieces of each streamed response, reported by the host after the response ended.
  const relayedWaiters: Array<(pieces: number) => void> = [];
  const nextRelayed = (): Promise<number> => new Promise((resolve) => relayedWaiters.push(resolve));
  let keyStore: DynamoKeyStore;
  let spendStore: DynamoSpendStore;
  // The bundles reach DynamoDB Local through this proxy, which counts their calls.
  let dynamoCalls: CountingProxy;
  // The host's spec and environment, to start another host (a shorter timeout) and the sweeper.
  let hostSpec: LambdaHostSpec;
  let hostEnv: Record<string, string>;
  let sweeper: BundledFunction;
  let budgetAlerts: BundledFunction;
  let spendTableName: string;
  // When each request reached the upstream (performance.now()), to split DynamoDB calls into before and after.
  const upstreamArrivals: number[] = [];

  beforeAll(async () => {
    const claudeCodeTurn = openAiAgentTurn(UPSTREAM_KEY);
    const codexTurn = openAiAgentTurn(UPSTREAM_KEY, CODEX_EXEC);
    upstream = await startFakeUpstream(async (request, res) => {
      upstreamArrivals.push(performance.now());
      // The coding agents' requests (they carry their shell tool) get the scripted coding model.
      const tools = ((request.json as { tools?: Array<{ function?: { name?: string } }> }).tools ?? []).map((tool) => tool.function?.name);
      if (tools.includes('Bash')) return claudeCodeTurn(request, res);
      if (tools.includes('exec_command')) return codexTurn(request, res);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const reply = sseReply((request.json as { model: string }).model);
      if (JSON.stringify(request.json).includes(STALL)) return void res.write(reply.slice(0, reply.indexOf('\n\n', reply.indexOf('"Hello"')) + 2));
      const firstContentEnd = reply.indexOf('\n\n', reply.indexOf('"Hello"')) + 2;
      res.write(reply.slice(0, firstContentEnd));
      await upstreamGate;
      await writeInPieces(res, reply.slice(firstContentEnd), 7);
    });
    const config = {
      // Codex also offers OpenAI's hosted web search, which a chat-only server cannot run: dropped.
      providers: { openai: { type: 'openai', baseUrl: `${upstream.url}/v1`, apiKeySecret: 'openai', dropUnsupportedParams: true } },
      models: { gpt: { targets: [{ provider: 'openai', model: 'gpt-4o-mini', price: PRICE }] } },
      budgets: { releaseGraceMs: RELEASE_GRACE_MS },
    };
    firehose = await startFakeFirehose();
    // Each service is kept as soon as it runs, so afterAll stops it even when another failed.
    await Promise.all([
      // The fake upstream is on loopback, which a deployed config may only route to when allowed.
      synthApp(config, { stage: STAGE, allowDevProviders: 'true' }).then((app) => (synth = app)),
      dynamoDbLocal().then((local) => (dynamo = local)),
    ]);
    const keysTable = await dynamo.createTable(keysTableSchema, 'keys');
    const spendTable = await dynamo.createTable(spendTableSchema, 'spend');
    spendTableName = spendTable;
    const responsesTable = await dynamo.createTable(responsesTableSchema, 'responses');
    keyStore = new DynamoKeyStore(dynamo.documentClient, keysTable);
    spendStore = new DynamoSpendStore(dynamo.documentClient, spendTable);
    dynamoCalls = await startCountingProxy(dynamo.endpoint);

    // Each function's environment as synthesized, with the table references resolved to the
    // local tables; the SDK clients reach the emulated services through the standard variables.
    const physicalNames: Record<string, string> = {
      [synth.resource('AWS::DynamoDB::GlobalTable', 'KeysTable')[0]]: keysTable,
      [synth.resource('AWS::DynamoDB::GlobalTable', 'SpendTable')[0]]: spendTable,
      [synth.resource('AWS::DynamoDB::GlobalTable', 'ResponsesTable')[0]]: responsesTable,
      [synth.resource('AWS::KinesisFirehose::DeliveryStream', 'UsageDeliveryStream')[0]]: USAGE_STREAM,
      [synth.resource('AWS::KinesisFirehose::DeliveryStream', 'AuditDeliveryStream')[0]]: AUDIT_STREAM,
      [synth.resource('AWS::SNS::Topic', 'BudgetAlertsTopic')[0]]: ALERT_TOPIC,
    };
    const environmentOf = (id: string): Record<string, string> => {
      const variables = (synth.template.Resources[id]?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, resolveIntrinsics(value, physicalNames)]));
    };
    const [gatewayId, gatewayResource] = synth.resource('AWS::Lambda::Function', 'GatewayFunction');
    const [authorizerId] = synth.resource('AWS::Lambda::Function', 'AuthorizerFunction');
    const [sweeperId, sweeperResource] = synth.resource('AWS::Lambda::Function', 'ReservationSweeperFunction');
    // The provider key is in the secret the stack names (its name is unique to the stack instance).
    const secretPrefix = environmentOf(gatewayId)[FunctionEnv.SecretPrefix] as string;
    secrets = await startFakeSecretsManager({ [`${secretPrefix}openai`]: UPSTREAM_KEY });
    const env = {
      ...environmentOf(authorizerId),
      ...environmentOf(gatewayId),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamoCalls.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
      AWS_ENDPOINT_URL_FIREHOSE: firehose.url,
      POWERTOOLS_LOG_LEVEL: 'WARN',
    };
    const [, authorizerResource] = synth.resource('AWS::ApiGateway::Authorizer', 'Authorizer');
    const gatewayResponses: Record<string, GatewayResponseTemplate> = {};
    for (const resource of Object.values(synth.template.Resources).filter((r) => r.Type === 'AWS::ApiGateway::GatewayResponse')) {
      const props = resource.Properties as { ResponseType: string; StatusCode?: string; ResponseTemplates: Record<string, string> };
      gatewayResponses[props.ResponseType] = { statusCode: props.StatusCode, template: props.ResponseTemplates['application/json'] as string };
    }
    const [alertsId, alertsResource] = synth.resource('AWS::Lambda::Function', 'BudgetAlertsFunction');
    const [gateway, authorizer, sweeperBundle, alertsBundle] = await Promise.all([gatewayId, authorizerId, sweeperId, alertsId].map((id) => copyToCleanFolder(synth.bundlePath(id))));
    [gatewayBundle, authorizerBundle] = [gateway as string, authorizer as string];
    const shared = { AWS_REGION: env.AWS_REGION, AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL_DYNAMODB: env.AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_FIREHOSE: env.AWS_ENDPOINT_URL_FIREHOSE, POWERTOOLS_LOG_LEVEL: 'ERROR' };
    sweeper = { name: 'sweeper', bundle: sweeperBundle as string, env: { ...environmentOf(sweeperId), ...shared }, timeoutMs: (sweeperResource.Properties as { Timeout: number }).Timeout * 1000 };
    budgetAlerts = { name: 'budget-alerts', bundle: alertsBundle as string, env: { ...environmentOf(alertsId), ...shared }, timeoutMs: (alertsResource.Properties as { Timeout: number }).Timeout * 1000 };
    hostSpec = {
      stage: STAGE,
      gatewayBundle,
      authorizerBundle,
      authorizerTtlSeconds: (authorizerResource.Properties as { AuthorizerResultTtlInSeconds: number }).AuthorizerResultTtlInSeconds,
      gatewayResponses,
      gatewayTimeoutMs: (gatewayResource.Properties as { Timeout: number }).Timeout * 1000,
    };
    hostEnv = env;
    host = await startLambdaHost(hostSpec, env, (pieces) => relayedWaiters.shift()?.(pieces));
  });

  afterAll(async () => {
    if (host) {
      const exited = new Promise((done) => host.child.once('exit', done));
      host.child.stdin?.end();
      await exited;
    }
    await Promise.all([upstream?.close(), secrets?.close(), firehose?.close(), dynamoCalls?.close(), dynamo?.stop()]);
  });

  async function createKey(name: string, budgetUsd: number): Promise<{ key: string; keyId: string }> {
    const key = `sk-sy-${name}${'x'.repeat(40)}`;
    const keyId = `key_${name}`;
    await keyStore.put({
      keyId,
      keyHash: createHash('sha256').update(key).digest('hex'),
      name,
      budget: { usd: budgetUsd, period: 'month' },
      createdAt: new Date().toISOString(),
    });
    return { key, keyId };
  }

  function client(apiKey: string): OpenAI {
    return new OpenAI({ apiKey, baseURL: `${host.url}/${STAGE}/v1`, maxRetries: 0 });
  }

  async function streamReply(openai: OpenAI, onFirstContent: () => void = () => undefined): Promise<string[]> {
    const stream = await openai.chat.completions.create({
      model: 'gpt',
      messages: [{ role: 'user', content: 'Say hello.' }],
      max_tokens: MAX_TOKENS,
      stream: true,
      stream_options: { include_usage: true },
    });
    const contents: string[] = [];
    for await (const chunk of stream) {
      assertOpenAiSchema('CreateChatCompletionStreamResponse', chunk);
      for (const choice of chunk.choices) {
        if (!choice.delta.content) continue;
        contents.push(choice.delta.content);
        if (contents.length === 1) onFirstContent();
      }
    }
    return contents;
  }

  it('ships bundles that carry every module they import, the AWS SDK included', async () => {
    // Nothing but Node.js built-ins is left to resolve at run time: not the runtime's SDK copy.
    await expect(nonBuiltinRequires(gatewayBundle)).resolves.toEqual([]);
    await expect(nonBuiltinRequires(authorizerBundle)).resolves.toEqual([]);
    // This config has no Bedrock provider: the Bedrock provider and its SDK client are left out.
    expect(await readFile(gatewayBundle, 'utf8')).not.toContain('ConverseStreamCommand');
    // Module init grows with the bundle (DESIGN §8: at most 150 ms). A request-path module that
    // imported zod's full API once added 430 kB and 80 ms of init; the config is validated at synth.
    expect((await readFile(gatewayBundle)).length).toBeLessThan(800 * 1024);
  });

  it('answers GET /health without a key', async () => {
    const response = await fetch(`${host.url}/${STAGE}/health`);
    expect(response.status).toBe(200);
    await expect(response.json()).resolves.toEqual({ status: 'ok' });
  });

  it('streams SSE in pieces through the prelude, with the provider key from Secrets Manager, and debits the budget', async () => {
    const { key, keyId } = await createKey('stream', 1);
    let openGate: () => void = () => undefined;
    upstreamGate = new Promise((resolve) => (openGate = resolve));
    const relayedPieces = nextRelayed();

    const contents = await streamReply(client(key), openGate);
    upstreamGate = Promise.resolve();

    expect(contents.join('')).toBe('Hello from upstream');
    expect(await relayedPieces).toBeGreaterThan(1);
    expect(upstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    // Settlement runs in middy's requestEnd, just after the client has the last byte: wait for it
    // (bounded), then the hold must be gone and exactly the reply's cost spent.
    const spend = await settledSpend(keyId);
    expect(spend).toMatchObject({ spentMicroUsd: REPLY_TOKENS * PRICE.output, reservedMicroUsd: 0 });
  });

  async function settledSpend(keyId: string): Promise<{ spentMicroUsd: number; reservedMicroUsd: number }> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const spend = await spendStore.getSpend(keyScope(keyId), 'month', Date.now());
      if (spend.reservedMicroUsd === 0 || Date.now() > deadline) return spend;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('makes one DynamoDB round trip before the upstream call and one after the stream, with rpm, tpm, a key and a team budget all on', async () => {
    const key = `sk-sy-roundtrips${'x'.repeat(40)}`;
    await keyStore.putTeam({ team: 'roundtrips', budget: { usd: 10, period: 'month' } });
    await keyStore.put({ keyId: 'key_roundtrips', keyHash: createHash('sha256').update(key).digest('hex'), name: 'roundtrips', team: 'roundtrips', budget: { usd: 1, period: 'month' }, rpm: 100, tpm: 100_000, createdAt: new Date().toISOString() });
    // The first request fills the authorizer's and the gateway's caches (the key, the team's budget).
    await streamReply(client(key));
    await settledSpend('key_roundtrips');

    const sent = performance.now();
    await streamReply(client(key));
    const reachedUpstream = upstreamArrivals.at(-1) as number;
    await settledSpend('key_roundtrips');

    const calls = dynamoCalls.calls.filter((call) => call.at >= sent);
    // The admission (the key's minute window, the key's and the team's budgets) in one transaction…
    expect(calls.filter((call) => call.at < reachedUpstream).map((call) => call.operation)).toEqual(['TransactWriteItems']);
    // …and the settlement (both budgets, the minute's tokens) in another.
    expect(calls.filter((call) => call.at > reachedUpstream).map((call) => call.operation)).toEqual(['TransactWriteItems']);
  });

  it('puts the usage event of a streamed request on the Firehose stream after the stream ends', async () => {
    const { key, keyId } = await createKey('usage', 1);

    await streamReply(client(key));
    const records = await recordsOf(keyId);

    expect(records).toHaveLength(1);
    expect(records[0]?.endsWith('\n')).toBe(true);
    expect(JSON.parse(records[0] as string)).toMatchObject({ key_id: keyId, stream: true, status: 'ok', output_tokens: REPLY_TOKENS, cost_micro_usd: REPLY_TOKENS * PRICE.output });
    expect(firehose.calls.every((call) => call.streamName === USAGE_STREAM)).toBe(true);
  });

  it('puts the full audit record of a key audited in full on its own Firehose stream: the request and the reassembled stream, no key', async () => {
    const key = `sk-sy-audited${'x'.repeat(40)}`;
    // The level travels from the key record through the authorizer's context to the gateway.
    await keyStore.put({ keyId: 'key_audited', keyHash: createHash('sha256').update(key).digest('hex'), name: 'audited', audit: 'full', createdAt: new Date().toISOString() });

    const contents = await streamReply(client(key));
    const auditRecords = (): Record<string, unknown>[] =>
      firehose.calls.filter((call) => call.streamName === AUDIT_STREAM).flatMap((call) => call.records.map((record) => JSON.parse(record) as Record<string, unknown>));
    for (let poll = 0; poll < 100 && auditRecords().length === 0; poll++) await new Promise((resolve) => setTimeout(resolve, 50));

    const records = auditRecords();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ audit_level: 'full', key_id: 'key_audited', endpoint: '/v1/chat/completions', stream: true, status: 'ok', http_status: 200 });
    const response = JSON.parse(String(records[0]?.response_body)) as { choices: { message: { content: string } }[]; usage: { completion_tokens: number } };
    expect(response.choices[0]?.message.content).toBe(contents.join(''));
    expect(response.usage.completion_tokens).toBe(REPLY_TOKENS);
    expect(JSON.parse(String(records[0]?.request_body))).toMatchObject({ model: 'gpt', messages: [{ role: 'user', content: 'Say hello.' }] });
    const everything = firehose.calls.flatMap((call) => call.records).join('\n');
    expect(everything).not.toContain(key);
    expect(everything).not.toContain(UPSTREAM_KEY);
  });

  /** The records of one key; the function sends them in requestEnd, just after the body ended. */
  async function recordsOf(keyId: string): Promise<string[]> {
    const mine = (): string[] => firehose.stored.filter((record) => (JSON.parse(record) as { key_id: string }).key_id === keyId);
    for (let poll = 0; poll < 100 && mine().length === 0; poll++) await new Promise((resolve) => setTimeout(resolve, 50));
    return mine();
  }

  it('answers 401 from the authorizer for an unknown key, in the OpenAI envelope', async () => {
    const error = await client('sk-sy-notakey000000000000000000000000000000').models.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
  });

  it('serves Claude Code and the Anthropic SDK: HEAD / without a key, /v1/messages with the key in x-api-key (the gateway authenticates it), a bad key in Anthropic’s envelope', async () => {
    expect((await fetch(`${host.url}/${STAGE}`, { method: 'HEAD' })).status).toBe(200);
    const { key, keyId } = await createKey('claude-code', 1);
    const anthropic = (apiKey: string): Anthropic => new Anthropic({ apiKey, baseURL: `${host.url}/${STAGE}`, maxRetries: 0 });

    const message = await anthropic(key).messages.stream({ model: 'gpt', max_tokens: MAX_TOKENS, messages: [{ role: 'user', content: 'Say hello.' }] }).finalMessage();

    expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: 'Hello from upstream' })]);
    expect(message.stop_reason).toBe('end_turn');
    expect(await settledSpend(keyId)).toMatchObject({ spentMicroUsd: REPLY_TOKENS * PRICE.output, reservedMicroUsd: 0 });
    const refused = await anthropic('sk-sy-notakey000000000000000000000000000000').messages.create({ model: 'gpt', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((refused as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });

  it('lists models for the Anthropic SDK (x-api-key, Anthropic’s shape) and the OpenAI SDK (bearer, OpenAI’s shape), and refuses a bad key in each envelope', async () => {
    const { key } = await createKey('model-lister', 1);
    const anthropic = (apiKey: string): Anthropic => new Anthropic({ apiKey, baseURL: `${host.url}/${STAGE}`, maxRetries: 0 });

    const anthropicModels = [];
    for await (const model of anthropic(key).models.list()) anthropicModels.push(model);
    const one = await anthropic(key).models.retrieve('gpt');
    const openaiModels = (await client(key).models.list()).data;

    expect(anthropicModels).toEqual([expect.objectContaining({ type: 'model', id: 'gpt' })]);
    expect(one).toMatchObject({ type: 'model', id: 'gpt' });
    expect(openaiModels).toEqual([expect.objectContaining({ object: 'model', id: 'gpt' })]);
    await expect(anthropic('sk-sy-notakey000000000000000000000000000000').models.list()).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    await expect(client('sk-sy-notakey000000000000000000000000000000').models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('serves Claude Code itself: a Bash task through API Gateway, the authorizer-free Messages route and the gateway bundle, translated to the OpenAI upstream', async () => {
    const { key, keyId } = await createKey('claude-code-cli', 100);

    const run = await runClaudeCode({ baseUrl: `${host.url}/${STAGE}`, key, auth: 'x-api-key', model: 'gpt' });

    expect(run).toMatchObject({ code: 0, taskFile: TASK_TOKEN });
    expect(run.stdout).toContain(`${ANSWER_PREFIX}${TASK_TOKEN}`);
    // Two turns of 20 output tokens at 1000 micro-USD each, settled, nothing left reserved.
    expect(await settledSpend(keyId)).toMatchObject({ spentMicroUsd: 2 * 20 * PRICE.output, reservedMicroUsd: 0 });
  });

  it('serves Codex CLI itself: a shell task through API Gateway, the authorizer and the gateway bundle’s Responses API, translated to the OpenAI upstream', async () => {
    const { key, keyId } = await createKey('codex-cli', 100);

    const run = await runCodex({ baseUrl: `${host.url}/${STAGE}/v1`, key, model: 'gpt' });

    expect(run).toMatchObject({ code: 0, taskFile: TASK_TOKEN });
    expect(run.stdout).toContain(TASK_TOKEN);
    // Two turns of 20 output tokens at 1000 micro-USD each, settled, nothing left reserved.
    expect(await settledSpend(keyId)).toMatchObject({ spentMicroUsd: 2 * 20 * PRICE.output, reservedMicroUsd: 0 });
  });

  it('keeps a Responses API response in DynamoDB for its key: retrieve and continue it through the bundle, another key gets 404', async () => {
    const { key } = await createKey('responses', 100);
    const { key: other } = await createKey('responses-other', 100);

    // The fake upstream streams; so does the client here.
    const first = await client(key).responses.stream({ model: 'gpt', max_output_tokens: MAX_TOKENS, input: 'Say hello.' }).finalResponse();
    const again = await client(key).responses.retrieve(first.id);
    const next = await client(key).responses.stream({ model: 'gpt', max_output_tokens: MAX_TOKENS, previous_response_id: first.id, input: 'Again.' }).finalResponse();

    expect(first).toMatchObject({ store: true, status: 'completed' });
    expect(again).toMatchObject({ id: first.id, status: 'completed', store: true, output_text: first.output_text, usage: first.usage });
    expect(next).toMatchObject({ previous_response_id: first.id, status: 'completed' });
    await expect(client(other).responses.retrieve(first.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('answers 429 budget_exceeded once the budget is spent', async () => {
    // One reply fits (bound 10 000 ≤ 12 000) and costs 5 000; the next bound no longer fits.
    const { key } = await createKey('small', (MAX_TOKENS * PRICE.output + 2000) / 1_000_000);
    const openai = client(key);
    await streamReply(openai);

    const error = await streamReply(openai).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('budget_exceeded');
  });

  it('serves as many of 150 concurrent requests as the budget pays for, through the bundles on DynamoDB Local, never more', async () => {
    // DESIGN §4 "no false rejections" on AWS (see BURST): a reply costs 5 000 and reserves 10 000
    // (twice as much), and the budget pays for 52 replies. Requests refused only because of the others'
    // reservations wait for them to settle; the last reservation's bound may cost one reply.
    const replyCost = REPLY_TOKENS * PRICE.output;
    const budgetMicroUsd = 52 * replyCost + replyCost / 2;
    const { key, keyId } = await createKey('burst', budgetMicroUsd / 1_000_000);
    // A host of its own that reaches DynamoDB Local directly: the counting proxy lives in this test
    // process, which is busy with the burst's clients, and would hold the bundles' calls too long.
    const direct = await startLambdaHost(hostSpec, { ...hostEnv, AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint });
    const openai = new OpenAI({ apiKey: key, baseURL: `${direct.url}/${STAGE}/v1`, maxRetries: 0 });

    const outcomes = await Promise.all(
      Array.from({ length: BURST }, async (): Promise<string> => {
        try {
          // Read without schema checks (other tests check the chunks): the burst is about the budget.
          const stream = await openai.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: MAX_TOKENS, stream: true });
          let text = '';
          for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
          return text === 'Hello from upstream' ? 'served' : 'cut';
        } catch (error) {
          if (error instanceof OpenAI.APIError) return `${error.status} ${error.code}`;
          throw error;
        }
      }),
    );
    const served = outcomes.filter((outcome) => outcome === 'served').length;
    const spend = await settledSpend(keyId);
    const exited = new Promise((done) => direct.child.once('exit', done));
    direct.child.stdin?.end();
    await exited;

    expect(outcomes.filter((outcome) => outcome !== 'served' && outcome !== '429 budget_exceeded')).toEqual([]);
    expect(served).toBeGreaterThanOrEqual(50);
    expect(served).toBeLessThanOrEqual(52);
    expect(spend).toMatchObject({ spentMicroUsd: served * replyCost, reservedMicroUsd: 0 });
    expect(spend.spentMicroUsd).toBeLessThanOrEqual(budgetMicroUsd);
    // One usage event per request, the refused ones included.
    for (let poll = 0; poll < 100 && (await recordsOf(keyId)).length < BURST; poll++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await recordsOf(keyId)).toHaveLength(BURST);
  });

  it('answers 413 request_too_large, in the OpenAI envelope, for a body over the AWS limit that Lambda still carries (5.5 MB)', async () => {
    const { key } = await createKey('large', 1);
    const chunk = 'x'.repeat(1024 * 1024);
    const body = JSON.stringify({ model: 'gpt', max_tokens: MAX_TOKENS, messages: Array.from({ length: 5 }, () => ({ role: 'user', content: chunk })).concat([{ role: 'user', content: chunk.slice(0, 512 * 1024) }]) });
    expect(body.length).toBeGreaterThan(5.5 * 1024 * 1024);
    const before = upstream.requests.length;

    const response = await fetch(`${host.url}/${STAGE}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });

    expect(response.status).toBe(413);
    await expect(response.json()).resolves.toMatchObject({ error: { type: 'invalid_request_error', code: 'request_too_large' } });
    expect(upstream.requests.length).toBe(before);
  });

  it('cannot see a 6.5 MB body without WAF: Lambda refuses the invocation and API Gateway answers 502 in the OpenAI envelope', async () => {
    const { key } = await createKey('huge', 1);
    const body = JSON.stringify({ model: 'gpt', messages: [{ role: 'user', content: 'x'.repeat(6.5 * 1024 * 1024) }] });

    const response = await fetch(`${host.url}/${STAGE}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });

    expect(response.status).toBe(502);
    await expect(response.json()).resolves.toMatchObject({ error: { type: 'server_error' } });
  });

  it('answers a body over API Gateway’s 10 MB limit with 413 request_too_large in the OpenAI envelope', async () => {
    const { key } = await createKey('huger', 1);
    const body = JSON.stringify({ model: 'gpt', messages: [{ role: 'user', content: 'x'.repeat(10.5 * 1024 * 1024) }] });

    const response = await fetch(`${host.url}/${STAGE}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });

    expect(response.status).toBe(413);
    await expect(response.json()).resolves.toMatchObject({ error: { type: 'invalid_request_error', code: 'request_too_large' } });
  });

  it('is not told when the client disconnects (as on Lambda): the generation runs to its end and is charged in full', async () => {
    const { key, keyId } = await createKey('gone', 1);
    let openGate: () => void = () => undefined;
    upstreamGate = new Promise((resolve) => (openGate = resolve));
    const relayedPieces = nextRelayed();
    const client = new AbortController();
    const response = await fetch(`${host.url}/${STAGE}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt', max_tokens: MAX_TOKENS, stream: true, messages: [{ role: 'user', content: 'Say hello.' }] }),
      signal: client.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let received = '';
    while (!received.includes('Hello')) received += new TextDecoder().decode((await reader.read()).value);

    // The client goes away mid-generation; only then does the upstream produce the rest.
    client.abort();
    await reader.closed.catch(() => undefined);
    openGate();
    upstreamGate = Promise.resolve();

    // The invocation ran on: its whole output was produced (and dropped), the reply charged in full.
    expect(await relayedPieces).toBeGreaterThan(1);
    await expect(settledSpend(keyId)).resolves.toMatchObject({ spentMicroUsd: REPLY_TOKENS * PRICE.output, reservedMicroUsd: 0 });
    const [record] = await recordsOf(keyId);
    expect(JSON.parse(record as string)).toMatchObject({ status: 'ok', output_tokens: REPLY_TOKENS });
  });
  /** Runs the sweeper bundle once, as its schedule does, and resolves with its result. */
  function runSweeper(): Promise<{ released: number }> {
    return invokeOnce(sweeper, { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }) as Promise<{ released: number }>;
  }

  /** Invokes a bundled function once with `event` (its environment plus `env`), resolving with its result. */
  function invokeOnce(fn: BundledFunction, event: unknown, env: Record<string, string> = {}): Promise<unknown> {
    const spec: LambdaInvokeSpec = { bundle: fn.bundle, functionName: fn.name, event, timeoutMs: fn.timeoutMs };
    const { NODE_PATH: _ignored, ...inherited } = process.env;
    const child = spawn(LAMBDA_NODE, ['--require', 'tsx/cjs', join(PROJECT_ROOT, 'test/helpers/lambda-invoke.ts')], {
      cwd: PROJECT_ROOT,
      env: { ...inherited, ...fn.env, ...env, SWITCHYARD_LAMBDA_INVOKE: JSON.stringify(spec) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout?.on('data', (data: Buffer) => (output += data.toString()));
    // The function's own lines (logs, EMF metrics) come first; the result is the last line.
    return new Promise((resolveResult, reject) =>
      child.once('exit', (code) => {
        const last = output.trim().split('\n').at(-1) ?? '';
        if (code === 0) resolveResult(JSON.parse(last));
        else reject(new Error(`${fn.name} exited with ${code}: ${output}`));
      }),
    );
  }

  it('leaves no reservation behind a Lambda timeout: the scheduled sweeper releases it after its expiry, charged at its estimate, with the usage event', async () => {
    const { key, keyId } = await createKey('timeout', 1);
    // A host whose gateway function times out after 3 s, like a stack deployed with that timeout.
    const timeoutMs = 3_000;
    const shortLived = await startLambdaHost({ ...hostSpec, gatewayTimeoutMs: timeoutMs }, hostEnv);
    const stopped = new Promise((resolveExit) => shortLived.child.once('exit', resolveExit));
    // Should the emulated timeout not happen, the host must not outlive the test.
    const fallbackStop = setTimeout(() => shortLived.child.kill('SIGKILL'), 60_000);
    void stopped.then(() => clearTimeout(fallbackStop));
    const started = Date.now();
    const response = await fetch(`${shortLived.url}/${STAGE}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt', max_tokens: MAX_TOKENS, stream: true, messages: [{ role: 'user', content: STALL }] }),
    });
    const requestId = response.headers.get('x-request-id');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let received = '';
    while (!received.includes('Hello')) received += new TextDecoder().decode((await reader.read()).value);
    // The invocation began (and took its deadline) before its first byte reached us: the expiry is at most this late.
    const firstByteAt = Date.now();

    // Lambda stops the environment at the timeout: the stream is cut and nothing settles.
    await stopped;
    await reader.closed.catch(() => undefined);
    expect(Date.now() - started).toBeGreaterThanOrEqual(timeoutMs);
    expect(await spendStore.getSpend(keyScope(keyId), 'month', Date.now())).toEqual({ periodKey: expect.any(String), spentMicroUsd: 0, reservedMicroUsd: MAX_TOKENS * PRICE.output });

    // Before its expiry (the Lambda deadline plus the grace) the sweeper leaves it held…
    await expect(runSweeper()).resolves.toEqual({ released: 0 });
    expect((await spendStore.getSpend(keyScope(keyId), 'month', Date.now())).reservedMicroUsd).toBe(MAX_TOKENS * PRICE.output);
    expect(Date.now()).toBeLessThan(started + timeoutMs + RELEASE_GRACE_MS);
    // …after it, releases it, charged at its estimate (input is free here: the whole output limit).
    await new Promise((resolveWait) => setTimeout(resolveWait, Math.max(0, firstByteAt + timeoutMs + RELEASE_GRACE_MS + 100 - Date.now())));
    await expect(runSweeper()).resolves.toEqual({ released: 1 });
    expect(await spendStore.getSpend(keyScope(keyId), 'month', Date.now())).toEqual({ periodKey: expect.any(String), spentMicroUsd: MAX_TOKENS * PRICE.output, reservedMicroUsd: 0 });
    await expect(runSweeper()).resolves.toEqual({ released: 0 });
    const records = (await recordsOf(keyId)).map((record) => JSON.parse(record) as Record<string, unknown>);
    expect(records).toEqual([expect.objectContaining({ request_id: requestId, key_id: keyId, status: 'error', error_type: 'reservation_expired', usage_estimated: true, cost_micro_usd: MAX_TOKENS * PRICE.output })]);
  });
  it('sends a budget alert once from the spend table’s stream through the budget-alerts bundle: an EventBridge event and an SNS message', async () => {
    // Two replies of 5,000 micro-USD each on a $0.02 budget: past 50 %.
    const { key, keyId } = await createKey('alerts', 0.02);
    await streamReply(client(key));
    await streamReply(client(key));
    await settledSpend(keyId);
    const targets = await startFakeAlertTargets();
    try {
      // What the event source's filter passes for this key: its budget counter's changes.
      const records = (await dynamo.streamRecords(spendTableName)).filter((record) => record.dynamodb?.NewImage?.limitMicroUsd && record.dynamodb.Keys?.scope?.S === keyScope(keyId));
      const endpoints = { AWS_ENDPOINT_URL_EVENTBRIDGE: targets.eventBridgeUrl, AWS_ENDPOINT_URL_SNS: targets.snsUrl };

      await invokeOnce(budgetAlerts, { Records: records }, endpoints);
      // The stream delivers the batch again: nothing more is sent.
      await invokeOnce(budgetAlerts, { Records: records }, endpoints);

      expect(targets.events.map((event) => ({ ...event, Detail: JSON.parse(event.Detail) as unknown }))).toEqual([
        { Source: 'switchyard', DetailType: 'Switchyard budget threshold crossed', Detail: expect.objectContaining({ scope: keyScope(keyId), thresholdPercent: 50, limitUsd: 0.02, spentUsd: 0.01 }) },
      ]);
      expect(targets.messages).toEqual([expect.objectContaining({ TopicArn: ALERT_TOPIC, Subject: `Switchyard budget alert: 50% of key ${keyId}` })]);
      expect((await spendStore.getSpend(keyScope(keyId), 'month', Date.now())).alertedPercents).toEqual([50]);
    } finally {
      await targets.close();
    }
  });
});
