import { GatewayError } from '../errors';
import type { EmbeddingResponse } from '../protocols/openai-chat/types';
import { base64ToFloats, floatsToBase64 } from '../protocols/openai-chat/embedding-encoding';
import { validateEmbeddingRequest } from '../protocols/openai-chat/validate';
import { priceFor } from '../pricing';
import { executeRoute } from '../routing/execute-route';
import { adapterFor, apiKeyFor, callContextFor, type GatewayRuntime } from '../runtime';
import { accountUsage } from '../usage/accounting';
import type { RequestRecord } from '../usage/request-record';
import { endUserOf, parseTags } from '../usage/tags';
import { completed, type HandlerResult } from './handler-result';
import { assertModelAccess } from './model-access';
import { readJsonBody } from './read-body';
import type { RequestSignal } from './request-signal';
import { reserveEmbeddings } from './reserve-budget';
import { fetchNotifyingHeaders, planRequestRoute, routeOptions } from './route-request';
import { COST_HEADER, formatCostHeader, routingHeaders } from './routing-headers';

/**
 * `POST /v1/embeddings` through the alias's route. The response honours `encoding_format`:
 * the OpenAI SDK asks for `base64` by default and decodes little-endian float32 (DESIGN §9), so
 * float vectors from a provider are packed when base64 was asked for.
 */
export async function handleEmbeddings(runtime: GatewayRuntime, request: Request, record: RequestRecord, requestSignal: RequestSignal): Promise<HandlerResult> {
  const { config, deps } = runtime;
  const { body: raw, size } = await readJsonBody(request, config.limits);
  const body = validateEmbeddingRequest(raw, config.limits);
  record.modelRequested = body.model;
  record.user = endUserOf(request.headers.get('x-switchyard-user'), body.user);
  record.tags = parseTags(request.headers.get('x-switchyard-tags'), null);
  const alias = assertModelAccess(config, record.principal, body.model);

  const plan = planRequestRoute(runtime, request, alias);
  await reserveEmbeddings(runtime, record, size, plan, requestSignal.signal);
  const started = await executeRoute(
    plan,
    async (target, signal, firstByte) => {
      const adapter = adapterFor(runtime, target);
      if (!adapter.embeddings) {
        throw new GatewayError({ status: 400, type: 'invalid_request_error', code: 'unsupported_endpoint', param: 'model', message: `The model '${body.model}' (${target.provider.type}) does not support embeddings.`, verdict: 'fallback', errorClass: 'not_found' });
      }
      const apiKey = await apiKeyFor(runtime, target, adapter);
      return adapter.embeddings(
        { request: body, model: target.model },
        callContextFor(runtime, target, apiKey, { fetch: fetchNotifyingHeaders(deps.fetch, firstByte), signal, clientHeaders: request.headers, requestId: record.requestId }),
      );
    },
    routeOptions(runtime, record, requestSignal),
  );
  const headers = routingHeaders(record, started, deps.clock);
  const response = encodeVectors(started.value, body.encoding_format ?? 'float');
  const promptTokens = response.usage?.prompt_tokens ?? 0;
  accountUsage(record, { usage: { inputTokens: promptTokens, outputTokens: 0 }, promptBytes: 0, completionChars: 0 }, priceFor(started.target.model, started.target.price));
  headers[COST_HEADER] = formatCostHeader(record.costMicroUsd);
  return completed(new Response(JSON.stringify(response), { status: 200, headers: { 'content-type': 'application/json', ...headers } }));
}

/** Converts every vector to the requested encoding. */
function encodeVectors(response: EmbeddingResponse, format: 'float' | 'base64'): EmbeddingResponse {
  for (const item of response.data) {
    if (format === 'base64' && Array.isArray(item.embedding)) item.embedding = floatsToBase64(item.embedding);
    else if (format === 'float' && typeof item.embedding === 'string') item.embedding = base64ToFloats(item.embedding);
  }
  return response;
}
