import { modelNotFound } from '../errors';
import { isAliasPattern } from '../routing/resolve-alias';
import type { GatewayRuntime } from '../runtime';
import type { RequestRecord } from '../usage/request-record';
import { completed, type HandlerResult } from './handler-result';
import { mayUseModel } from './model-access';

/** The OpenAI `Model` object of an alias. */
function modelObject(alias: string, createdSeconds: number): Record<string, unknown> {
  return { id: alias, object: 'model', created: createdSeconds, owned_by: 'switchyard' };
}

function json(body: unknown): HandlerResult {
  return completed(new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } }));
}

/** `GET /v1/models`: the aliases this key may use, in the OpenAI list shape. */
export function handleListModels(runtime: GatewayRuntime, record: RequestRecord, createdSeconds: number): HandlerResult {
  const data = Object.keys(runtime.config.models)
    .filter((alias) => !isAliasPattern(alias) && mayUseModel(record.principal, alias))
    .map((alias) => modelObject(alias, createdSeconds));
  return json({ object: 'list', data });
}

/**
 * `GET /v1/models/{id}` (the SDKs' `models.retrieve`): the alias as an OpenAI `Model`, or 404
 * `model_not_found` when it does not exist or this key may not use it (as OpenAI answers for a
 * model an account cannot see, so a restricted key learns nothing about other aliases).
 */
export function handleRetrieveModel(runtime: GatewayRuntime, record: RequestRecord, id: string, createdSeconds: number): HandlerResult {
  if (!Object.hasOwn(runtime.config.models, id) || isAliasPattern(id) || !mayUseModel(record.principal, id)) throw modelNotFound(id);
  return json(modelObject(id, createdSeconds));
}
