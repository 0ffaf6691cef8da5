import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayAuthorizerResult, APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { invokeBuffered, invokeStreaming, lambdaContext, readStreamedHttpResponse } from './lambda-streaming-emulator';

/** A gateway response (API Gateway's own answer) as synthesized: status and body template. */
export interface GatewayResponseTemplate {
  statusCode?: string;
  template: string;
}

/** Options of {@link startApiGatewayFront}. */
export interface ApiGatewayFrontOptions {
  stage: string;
  /** The streaming gateway handler (`/health`, `/v1/{proxy+}`). */
  gateway: unknown;
  /** The REQUEST authorizer handler guarding `/v1/{proxy+}`. */
  authorizer: unknown;
  /** Authorizer result cache TTL in seconds, as configured on the authorizer. */
  authorizerTtlSeconds: number;
  /** Gateway responses by type (`UNAUTHORIZED`, `DEFAULT_4XX`…) from the synthesized template. */
  gatewayResponses: Record<string, GatewayResponseTemplate>;
  /** Told the number of body pieces relayed for each streamed response. */
  onRelayed?(pieces: number): void;
  /** The gateway function's timeout (its template's `Timeout`), given to each invocation's context. */
  functionTimeoutMs: number;
  /**
   * Called when an invocation outlives {@link functionTimeoutMs}: Lambda then stops the execution
   * environment, whatever the function is doing; the caller emulates that.
   */
  onFunctionTimeout?(requestId: string): void;
}

/** A running front. */
export interface ApiGatewayFront {
  readonly url: string;
  close(): Promise<void>;
}

const ACCOUNT = '123456789012';
/** API Gateway REST's own payload limit: a larger body gets its REQUEST_TOO_LARGE response. */
const API_GATEWAY_PAYLOAD_LIMIT = 10 * 1024 * 1024;
/** Largest invocation payload (the event's JSON) Lambda accepts; above it the invoke fails. */
const LAMBDA_REQUEST_PAYLOAD_LIMIT = 6_291_456;
const API_ID = 'e2eapi';

/**
 * A tiny stand-in for API Gateway REST in front of the emulated Lambda runtime: turns real HTTP
 * requests into REST proxy events (stage prefix stripped, multi-value headers, authorizer
 * context), runs the REQUEST authorizer with its result cache keyed by the `Authorization`
 * header (the policy must cover the method, as API Gateway checks), answers its own rejections
 * with the synthesized gateway-response templates, and streams the gateway's output (prelude
 * parsed, body relayed piece by piece). Like Lambda, it does not tell the function when the client
 * disconnects: the invocation runs to its end and its output is drained and dropped.
 */
export async function startApiGatewayFront(options: ApiGatewayFrontOptions): Promise<ApiGatewayFront> {
  const authorizerCache = new Map<string, { expires: number; result: APIGatewayAuthorizerResult }>();

  const reject = (res: ServerResponse, type: string, status: number, message: string): void => {
    const own = options.gatewayResponses[type];
    const fallback = options.gatewayResponses[status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX'];
    const chosen = own ?? fallback;
    const body = chosen ? chosen.template.replace('$context.error.messageString', JSON.stringify(message)) : JSON.stringify({ message });
    res.writeHead(Number(own?.statusCode ?? status), { 'content-type': 'application/json' });
    res.end(body);
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) reject(res, 'DEFAULT_5XX', 500, `Internal server error: ${String(error)}`);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (body.length > API_GATEWAY_PAYLOAD_LIMIT) return reject(res, 'REQUEST_TOO_LARGE', 413, 'Request Too Long');
    const url = new URL(req.url ?? '/', 'http://front');
    const prefix = `/${options.stage}`;
    if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) return reject(res, 'MISSING_AUTHENTICATION_TOKEN', 403, 'Missing Authentication Token');
    const path = url.pathname.slice(prefix.length) || '/';
    const method = (req.method ?? 'GET').toUpperCase();
    // The stack's resources (lib/constructs/api.ts): these go to the gateway without the authorizer.
    const openResource = OPEN_RESOURCES.find((route) => matchesResource(route.path, path) && route.methods.includes(method));
    const isProxy = !openResource && path.startsWith('/v1/');
    if (!openResource && !isProxy) return reject(res, 'MISSING_AUTHENTICATION_TOKEN', 403, 'Missing Authentication Token');

    const { headers, multiValueHeaders } = headerMaps(req.headers);
    const query = queryMaps(url.searchParams);
    const resource = openResource ? openResource.path : '/v1/{proxy+}';
    const methodArn = `arn:aws:execute-api:us-east-1:${ACCOUNT}:${API_ID}/${options.stage}/${method}${path}`;
    const requestId = randomUUID();
    const requestContext = {
      accountId: ACCOUNT,
      apiId: API_ID,
      stage: options.stage,
      requestId,
      resourcePath: resource,
      httpMethod: method,
      path: `${prefix}${path}`,
      domainName: headers.Host ?? headers.host ?? 'front',
      identity: { sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['User-Agent'] ?? headers['user-agent'] ?? null },
    } as unknown as APIGatewayProxyEvent['requestContext'];

    let authorizerContext: Record<string, unknown> | undefined;
    if (isProxy) {
      const authorization = req.headers.authorization;
      if (!authorization) return reject(res, 'UNAUTHORIZED', 401, 'Unauthorized');
      let cached = authorizerCache.get(authorization);
      if (!cached || cached.expires <= Date.now()) {
        const event: APIGatewayRequestAuthorizerEvent = {
          type: 'REQUEST',
          methodArn,
          resource,
          path,
          httpMethod: method,
          headers,
          multiValueHeaders,
          queryStringParameters: query.single,
          multiValueQueryStringParameters: query.multi,
          pathParameters: { proxy: path.slice('/v1/'.length) },
          stageVariables: null,
          requestContext,
        } as APIGatewayRequestAuthorizerEvent;
        try {
          const result = (await invokeBuffered(options.authorizer, event, lambdaContext('authorizer', randomUUID(), 10_000))) as APIGatewayAuthorizerResult;
          cached = { expires: Date.now() + options.authorizerTtlSeconds * 1000, result };
          authorizerCache.set(authorization, cached);
        } catch (error) {
          // The handler may live in another realm: compare the message, not the class.
          if ((error as { message?: unknown } | undefined)?.message === 'Unauthorized') return reject(res, 'UNAUTHORIZED', 401, 'Unauthorized');
          return reject(res, 'AUTHORIZER_FAILURE', 500, 'Internal server error');
        }
      }
      if (!allows(cached.result, methodArn)) return reject(res, 'ACCESS_DENIED', 403, 'User is not authorized to access this resource');
      authorizerContext = { ...cached.result.context, principalId: cached.result.principalId, integrationLatency: 0 };
    }

    const event: APIGatewayProxyEvent = {
      resource,
      path,
      httpMethod: method,
      headers,
      multiValueHeaders,
      queryStringParameters: query.single,
      multiValueQueryStringParameters: query.multi,
      pathParameters: isProxy ? { proxy: path.slice('/v1/'.length) } : null,
      stageVariables: null,
      requestContext: { ...requestContext, authorizer: authorizerContext } as APIGatewayProxyEvent['requestContext'],
      body: body.length > 0 ? body.toString('utf8') : null,
      isBase64Encoded: false,
    };
    // Lambda refuses a larger event before the function runs; API Gateway answers that as an
    // integration failure (DEFAULT_5XX), never with the gateway's own 413.
    if (Buffer.byteLength(JSON.stringify(event)) > LAMBDA_REQUEST_PAYLOAD_LIMIT) return reject(res, 'INTEGRATION_FAILURE', 502, 'Internal server error');
    const invocation = invokeStreaming(options.gateway, event, lambdaContext('gateway', requestId, options.functionTimeoutMs));
    invocation.done.catch(() => undefined);
    const timeout = setTimeout(() => options.onFunctionTimeout?.(requestId), options.functionTimeoutMs);
    timeout.unref();
    void invocation.done.catch(() => undefined).finally(() => clearTimeout(timeout));
    // As on AWS, a client that goes away is not told to the function: API Gateway drops the
    // connection, the invocation runs on and its writes still succeed (into nowhere).
    const streamed = await readStreamedHttpResponse(invocation);
    const clientGone = (): boolean => res.destroyed || res.writableEnded;
    if (!clientGone()) {
      res.writeHead(streamed.statusCode, { ...streamed.headers, ...(streamed.cookies.length ? { 'set-cookie': streamed.cookies } : {}) });
      res.flushHeaders();
    }
    let pieces = 0;
    for await (const piece of streamed.body) {
      pieces += 1;
      if (!clientGone()) res.write(piece);
    }
    options.onRelayed?.(pieces);
    if (!clientGone()) res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

// API Gateway passes header names as the client sent them; Node lower-cases, which the handler
// must cope with anyway (HTTP/2 clients send lower case).
function headerMaps(incoming: IncomingHttpHeaders): { headers: Record<string, string>; multiValueHeaders: Record<string, string[]> } {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    multiValueHeaders[name] = values;
    headers[name] = values[values.length - 1] as string;
  }
  return { headers, multiValueHeaders };
}

function queryMaps(params: URLSearchParams): { single: Record<string, string> | null; multi: Record<string, string[]> | null } {
  if ([...params.keys()].length === 0) return { single: null, multi: null };
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of params) {
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  return { single, multi };
}

/** The stack's methods that API Gateway sends to the gateway function without the authorizer. */
const OPEN_RESOURCES: ReadonlyArray<{ path: string; methods: string[] }> = [
  { path: '/', methods: ['GET', 'HEAD'] },
  { path: '/health', methods: ['GET'] },
  { path: '/v1/messages', methods: ['POST'] },
  { path: '/v1/messages/count_tokens', methods: ['POST'] },
  { path: '/v1/models', methods: ['GET'] },
  { path: '/v1/models/{model+}', methods: ['GET'] },
];

/** Whether `path` is in the resource `resourcePath`, whose last part may be greedy (`{name+}`). */
function matchesResource(resourcePath: string, path: string): boolean {
  const greedy = /\{[a-z]+\+\}$/i.exec(resourcePath);
  if (!greedy) return resourcePath === path;
  const parent = resourcePath.slice(0, greedy.index);
  return path.startsWith(parent) && path.length > parent.length;
}

/** Whether an authorizer policy allows `methodArn` (IAM-style `*` wildcards, Deny wins). */
function allows(result: APIGatewayAuthorizerResult, methodArn: string): boolean {
  const matches = (pattern: string): boolean => new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`).test(methodArn);
  let allowed = false;
  for (const statement of result.policyDocument.Statement) {
    const resources = 'Resource' in statement ? [statement.Resource].flat() : [];
    if (!resources.some((r) => matches(String(r)))) continue;
    if (statement.Effect === 'Deny') return false;
    if (statement.Effect === 'Allow') allowed = true;
  }
  return allowed;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
