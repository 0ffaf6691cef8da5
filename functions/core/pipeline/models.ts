import type { GatewayRuntime } from '../runtime';
import type { RequestRecord } from '../usage/request-record';
import { completed, type HandlerResult } from './handler-result';
import { mayUseModel } from './model-access';

/** `GET /v1/models`: the aliases this key may use, in the OpenAI list shape. */
export function handleListModels(runtime: GatewayRuntime, record: RequestRecord, createdSeconds: number): HandlerResult {
  const data = Object.keys(runtime.config.models)
    .filter((alias) => mayUseModel(record.principal, alias))
    .map((alias) => ({ id: alias, object: 'model', created: createdSeconds, owned_by: 'switchyard' }));
  return completed(new Response(JSON.stringify({ object: 'list', data }), { status: 200, headers: { 'content-type': 'application/json' } }));
}
