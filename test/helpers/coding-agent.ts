import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { RecordedRequest } from './fake-upstream';
import { sendJson } from './fake-upstream';

/**
 * Claude Code, driven by the e2e tier against the gateway, and a scripted "model" behind the
 * gateway that makes it use its Bash tool: the first turn asks for a Bash command that writes
 * {@link TASK_TOKEN} to a file and prints it; the next turn (the one carrying the tool result)
 * answers with what the tool printed. So the answer Claude Code prints can only contain the token
 * if Claude Code ran the command and sent its output back through the gateway.
 */

const AGENTS_DIR = resolve(__dirname, '..', 'e2e', 'agents');
const CLAUDE_BIN = join(AGENTS_DIR, 'node_modules', '.bin', 'claude');

/** The word the scripted command writes and prints. */
export const TASK_TOKEN = 'switchyard-e2e-7f3a';
/** The file the scripted command writes, in Claude Code's working directory. */
const TASK_FILE = 'proof.txt';
const COMMAND = `printf ${TASK_TOKEN} > ${TASK_FILE} && cat ${TASK_FILE}`;
/** How the scripted model's final answer starts. */
export const ANSWER_PREFIX = 'Bash printed: ';

/** Output limits the fake Anthropic API enforces, as the real one does (it answers 400 above them). */
const CLAUDE_OUTPUT_LIMITS: Record<string, number> = { 'claude-sonnet-4-5': 64_000, 'claude-haiku-4-5': 64_000 };

type AnthropicBlock = { type: string; text?: string; content?: string | Array<{ type: string; text?: string }> };
type AnthropicTurn = { role: string; content: string | AnthropicBlock[] };

function toolOutputOf(content: AnthropicBlock['content']): string {
  return typeof content === 'string' ? content : (content ?? []).map((block) => block.text ?? '').join('');
}

function sse(res: ServerResponse, events: Array<[string, Record<string, unknown>]>): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join(''));
}

/** How the scripted model calls each agent's shell tool. */
export interface ShellTool {
  name: string;
  input: Record<string, unknown>;
}

/** Claude Code's `Bash` tool. */
const CLAUDE_CODE_BASH: ShellTool = { name: 'Bash', input: { command: COMMAND, description: 'Write and print the proof file' } };
/** Codex's `exec_command` tool. */
export const CODEX_EXEC: ShellTool = { name: 'exec_command', input: { cmd: COMMAND } };

/**
 * One turn of a scripted Claude behind a fake Anthropic Messages API: checks what the real API
 * checks that a gateway could get wrong (the provider key, `anthropic-version`, `max_tokens`
 * within the model's limit) and streams a `tool_use` of the agent's shell tool or, after the tool
 * result, the answer.
 */
export function anthropicAgentTurn(providerKey: string, shell: ShellTool = CLAUDE_CODE_BASH) {
  return (request: RecordedRequest, res: ServerResponse): void => {
    const body = request.json as { model: string; max_tokens: number; stream?: boolean; messages: AnthropicTurn[] };
    if (request.headers['x-api-key'] !== providerKey) return sendJson(res, 401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } });
    if (!request.headers['anthropic-version']) return sendJson(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' } });
    const limit = CLAUDE_OUTPUT_LIMITS[body.model];
    if (limit === undefined || body.max_tokens > limit) {
      return sendJson(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: `max_tokens: ${body.max_tokens} > ${limit}, which is the maximum allowed number of output tokens for ${body.model}` } });
    }
    const last = body.messages.at(-1);
    const result = Array.isArray(last?.content) ? last.content.find((block) => block.type === 'tool_result') : undefined;
    const usage = { input_tokens: 1200, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
    const start: [string, Record<string, unknown>] = ['message_start', { type: 'message_start', message: { id: `msg_${Date.now()}`, type: 'message', role: 'assistant', model: body.model, content: [], stop_reason: null, stop_sequence: null, usage } }];
    const end = (stopReason: string): Array<[string, Record<string, unknown>]> => [
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      ['message_delta', { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: 20 } }],
      ['message_stop', { type: 'message_stop' }],
    ];
    if (result) {
      sse(res, [start, ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }], ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `${ANSWER_PREFIX}${toolOutputOf(result.content)}` } }], ...end('end_turn')]);
      return;
    }
    const input = JSON.stringify(shell.input);
    sse(res, [
      start,
      ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_e2e_1', name: shell.name, input: {} } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: input.slice(0, 20) } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: input.slice(20) } }],
      ...end('tool_use'),
    ]);
  };
}

type ChatTurn = { role: string; content?: string | Array<{ type: string; text?: string }> | null };

/**
 * One turn of the same scripted model behind a fake OpenAI-compatible Chat Completions server:
 * a streamed call of the agent's shell tool, or, once a `tool` message is there, the answer;
 * usage last.
 */
export function openAiAgentTurn(providerKey: string, shell: ShellTool = CLAUDE_CODE_BASH) {
  return (request: RecordedRequest, res: ServerResponse): void => {
    const body = request.json as { model: string; messages: ChatTurn[] };
    if (request.headers.authorization !== `Bearer ${providerKey}`) return sendJson(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key', param: null } });
    const result = body.messages.findLast((message) => message.role === 'tool');
    const base = { id: 'chatcmpl-agent', object: 'chat.completion.chunk', created: 1_700_000_000, model: body.model };
    const chunk = (delta: Record<string, unknown>, finish: string | null = null): Record<string, unknown> => ({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] });
    const input = JSON.stringify(shell.input);
    const chunks = result
      ? [chunk({ role: 'assistant', content: '' }), chunk({ content: `${ANSWER_PREFIX}${typeof result.content === 'string' ? result.content : (result.content ?? []).map((part) => part.text ?? '').join('')}` }), chunk({}, 'stop')]
      : [
          chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_e2e_1', type: 'function', function: { name: shell.name, arguments: '' } }] }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: input.slice(0, 20) } }] }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: input.slice(20) } }] }),
          chunk({}, 'tool_calls'),
        ];
    chunks.push({ ...base, choices: [], usage: { prompt_tokens: 1200, completion_tokens: 20, total_tokens: 1220 } });
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(`${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('')}data: [DONE]\n\n`);
  };
}

type ResponsesItem = { type?: string; call_id?: string; output?: string | Array<{ text?: string }> };

/**
 * One turn of the same scripted model behind a fake OpenAI Responses API: a streamed
 * `function_call` item of the agent's shell tool or, once a `function_call_output` is in the
 * input, a message with the answer; `response.completed` with usage last.
 */
export function responsesAgentTurn(providerKey: string, shell: ShellTool) {
  return (request: RecordedRequest, res: ServerResponse): void => {
    const body = request.json as { model: string; input: ResponsesItem[] };
    if (request.headers.authorization !== `Bearer ${providerKey}`) return sendJson(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key', param: null } });
    const result = body.input.findLast((item) => item.type === 'function_call_output');
    const base = { model: body.model, id: 'resp_agent', object: 'response', created_at: 1_700_000_000, error: null, incomplete_details: null };
    let sequence = 0;
    const event = (type: string, data: Record<string, unknown>): string => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`;
    const usage = { input_tokens: 1200, input_tokens_details: { cached_tokens: 0 }, output_tokens: 20, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 1220 };
    let item: Record<string, unknown>;
    const deltas: string[] = [];
    if (result) {
      const output = typeof result.output === 'string' ? result.output : (result.output ?? []).map((part) => part.text ?? '').join('');
      const text = `${ANSWER_PREFIX}${output}`;
      item = { id: 'msg_agent', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [], logprobs: [] }] };
      deltas.push(event('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } }));
      deltas.push(event('response.content_part.added', { item_id: 'msg_agent', output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }));
      deltas.push(event('response.output_text.delta', { item_id: 'msg_agent', output_index: 0, content_index: 0, delta: text, logprobs: [] }));
      deltas.push(event('response.output_text.done', { item_id: 'msg_agent', output_index: 0, content_index: 0, text, logprobs: [] }));
      deltas.push(event('response.content_part.done', { item_id: 'msg_agent', output_index: 0, content_index: 0, part: { type: 'output_text', text, annotations: [] } }));
    } else {
      const args = JSON.stringify(shell.input);
      item = { id: 'fc_agent', type: 'function_call', status: 'completed', call_id: 'call_agent_1', name: shell.name, arguments: args };
      deltas.push(event('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', arguments: '' } }));
      deltas.push(event('response.function_call_arguments.delta', { item_id: 'fc_agent', output_index: 0, delta: args }));
      deltas.push(event('response.function_call_arguments.done', { item_id: 'fc_agent', output_index: 0, arguments: args }));
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(
      event('response.created', { response: { ...base, status: 'in_progress', output: [], usage: null } }) +
        event('response.in_progress', { response: { ...base, status: 'in_progress', output: [], usage: null } }) +
        deltas.join('') +
        event('response.output_item.done', { output_index: 0, item }) +
        event('response.completed', { response: { ...base, status: 'completed', output: [item], usage } }),
    );
  };
}

/** What an agent's run printed, and the folder it worked in. */
export interface AgentRun {
  code: number | null;
  stdout: string;
  stderr: string;
  workDir: string;
  /** The content of `proof.txt` in the working folder, when the Bash tool wrote it. */
  taskFile: string | undefined;
}

/**
 * Runs `claude -p` (the pinned Claude Code in test/e2e/agents) on the task, against `baseUrl`,
 * with Bash allowed, in a fresh working folder and home, telemetry and non-essential traffic off,
 * and every proxy-aware request outside 127.0.0.1 sent to a closed port. `auth` is how the
 * virtual key travels: `x-api-key` (ANTHROPIC_API_KEY) or a bearer token (ANTHROPIC_AUTH_TOKEN).
 */
export async function runClaudeCode(options: { baseUrl: string; key: string; auth: 'x-api-key' | 'bearer'; model?: string }): Promise<AgentRun> {
  if (!existsSync(CLAUDE_BIN)) throw new Error(`Claude Code is not installed in ${AGENTS_DIR}: run \`npm run agents:install\` (npm test does it first).`);
  const workDir = await mkdtemp(join(tmpdir(), 'switchyard-claude-work-'));
  const home = await mkdtemp(join(tmpdir(), 'switchyard-claude-home-'));
  const env: Record<string, string> = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    ANTHROPIC_BASE_URL: options.baseUrl,
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    HTTPS_PROXY: 'http://127.0.0.1:9',
    HTTP_PROXY: 'http://127.0.0.1:9',
    NO_PROXY: '127.0.0.1,localhost',
    [options.auth === 'x-api-key' ? 'ANTHROPIC_API_KEY' : 'ANTHROPIC_AUTH_TOKEN']: options.key,
  };
  if (options.model) Object.assign(env, { ANTHROPIC_MODEL: options.model, ANTHROPIC_DEFAULT_HAIKU_MODEL: options.model });
  const prompt = `Use the Bash tool to write ${TASK_TOKEN} into ${TASK_FILE}, then tell me what it printed.`;
  return new Promise((done) => {
    const child = execFile(CLAUDE_BIN, ['-p', prompt, '--allowedTools', 'Bash'], { cwd: workDir, env, timeout: 120_000 }, (error, stdout, stderr) => {
      const file = join(workDir, TASK_FILE);
      done({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr, workDir, taskFile: existsSync(file) ? readFileSync(file, 'utf8') : undefined });
    });
    // The prompt is the argument: an open stdin would make Claude Code wait for more.
    child.stdin?.end();
  });
}

/** The pinned Claude Code version (test/e2e/agents/package.json). */
export function pinnedClaudeCodeVersion(): string {
  return (JSON.parse(readFileSync(join(AGENTS_DIR, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies['@anthropic-ai/claude-code'] as string;
}

/** The version the installed `claude` reports. */
export function installedClaudeCodeVersion(): Promise<string> {
  return new Promise((done, fail) => execFile(CLAUDE_BIN, ['--version'], { env: { PATH: '/usr/bin:/bin', HOME: tmpdir() } }, (error, stdout) => (error ? fail(error) : done(stdout.trim().split(' ')[0] as string))));
}

const CODEX_JS = join(AGENTS_DIR, 'node_modules', '@openai', 'codex', 'bin', 'codex.js');

/**
 * Runs `codex exec` (the pinned Codex CLI in test/e2e/agents) on the task against `baseUrl` (the
 * gateway's `/v1`), with its model provider configured as a user would in `config.toml`
 * (`wire_api = "responses"`, the key from an environment variable), in a fresh working folder and
 * `CODEX_HOME`, approvals and sandbox off (the scripted command only writes in that folder), and
 * every proxy-aware request outside 127.0.0.1 sent to a closed port.
 */
export async function runCodex(options: { baseUrl: string; key: string; model: string }): Promise<AgentRun> {
  if (!existsSync(CODEX_JS)) throw new Error(`Codex CLI is not installed in ${AGENTS_DIR}: run \`npm run agents:install\` (npm test does it first).`);
  const workDir = await mkdtemp(join(tmpdir(), 'switchyard-codex-work-'));
  const home = await mkdtemp(join(tmpdir(), 'switchyard-codex-home-'));
  const config = [
    `model = "${options.model}"`,
    'model_provider = "switchyard"',
    '',
    '[model_providers.switchyard]',
    'name = "Switchyard"',
    `base_url = "${options.baseUrl}"`,
    'env_key = "SWITCHYARD_API_KEY"',
    'wire_api = "responses"',
    'request_max_retries = 0',
    'stream_max_retries = 0',
  ].join('\n');
  await writeFile(join(home, 'config.toml'), `${config}\n`);
  const env: Record<string, string> = {
    PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: home,
    CODEX_HOME: home,
    SWITCHYARD_API_KEY: options.key,
    HTTPS_PROXY: 'http://127.0.0.1:9',
    HTTP_PROXY: 'http://127.0.0.1:9',
    NO_PROXY: '127.0.0.1,localhost',
  };
  const prompt = `Use your shell tool to write ${TASK_TOKEN} into proof.txt, then tell me what it printed.`;
  return new Promise((done) => {
    const child = execFile(process.execPath, [CODEX_JS, 'exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', prompt], { cwd: workDir, env, timeout: 120_000 }, (error, stdout, stderr) => {
      const file = join(workDir, 'proof.txt');
      done({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr, workDir, taskFile: existsSync(file) ? readFileSync(file, 'utf8') : undefined });
    });
    child.stdin?.end();
  });
}
