import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { APIGatewayProxyEvent } from 'aws-lambda';

/**
 * Converts an API Gateway REST proxy event into a Web `Request` for the core. The URL is rebuilt
 * from the `Host` header and the resource path (without the stage prefix, which is what the core
 * routes on); multi-value headers and query parameters are kept; a base64 body is decoded.
 * The client's disconnect reaches the gateway beside the request (`GatewayRequestContext.clientSignal`).
 */
export function toWebRequest(event: APIGatewayProxyEvent): Request {
  const headers = new Headers();
  const multi = event.multiValueHeaders ?? {};
  for (const [name, values] of Object.entries(multi)) for (const value of values ?? []) headers.append(name, value);
  for (const [name, value] of Object.entries(event.headers ?? {})) if (value !== undefined && !(name in multi)) headers.set(name, value);

  const query = new URLSearchParams();
  const multiQuery = event.multiValueQueryStringParameters ?? {};
  for (const [name, values] of Object.entries(multiQuery)) for (const value of values ?? []) query.append(name, value);
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) if (value !== undefined && !(name in multiQuery)) query.set(name, value);

  const host = headers.get('host') ?? event.requestContext.domainName ?? 'localhost';
  const search = query.size > 0 ? `?${query.toString()}` : '';
  const url = `https://${host}${event.path}${search}`;
  const method = event.httpMethod.toUpperCase();
  const hasBody = method !== 'GET' && method !== 'HEAD' && event.body !== null && event.body !== undefined;
  const body = hasBody ? (event.isBase64Encoded ? Buffer.from(event.body as string, 'base64') : (event.body as string)) : undefined;
  return new Request(url, { method, headers, body });
}

/** What a middy streamify-response handler returns: the prelude fields and a streamed body. */
export interface StreamingHandlerResponse {
  statusCode: number;
  headers: Record<string, string>;
  cookies?: string[];
  body: Readable | string;
}

/**
 * Converts the core's Web `Response` into the shape middy's streamify-response mode writes
 * through `awslambda.HttpResponseStream.from`: status and headers go into the prelude before the
 * first body byte, and the body is passed on as a stream, never buffered. `Set-Cookie` goes into
 * `cookies`, as the prelude format requires.
 */
export function toStreamingResponse(response: Response): StreamingHandlerResponse {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  const body = response.body ? Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>) : '';
  return { statusCode: response.status, headers, ...(cookies.length > 0 ? { cookies } : {}), body };
}
