import { invalidRequest, type GatewayError } from '../../core/errors';
import type { CanonicalRequest } from '../../core/model/request';

/**
 * The parameters of the tables below that the canonical request models; every other one is read
 * from the client's unmodelled parameters by its wire name.
 */
const MODELLED: Readonly<Record<string, (request: CanonicalRequest) => unknown>> = {
  n: (request) => request.n,
  seed: (request) => request.seed,
  presence_penalty: (request) => request.presencePenalty,
  frequency_penalty: (request) => request.frequencyPenalty,
  parallel_tool_calls: (request) => request.parallelToolCalls,
};

/**
 * One OpenAI parameter a provider has no equivalent for, and the test of a value that would
 * change the answer: a default such as `n: 1`, `presence_penalty: 0` or `parallel_tool_calls:
 * true` is harmless and passes.
 */
export interface UnsupportedParameter {
  readonly param: string;
  changesAnswer(value: unknown): boolean;
}

/** Any value at all changes the answer. */
export const anyValue = (value: unknown): boolean => value !== undefined && value !== null;
/** A number other than 0. */
export const nonZero = (value: unknown): boolean => anyValue(value) && value !== 0;
/** A non-empty object (`logit_bias`). */
const nonEmptyObject = (value: unknown): boolean => typeof value === 'object' && value !== null && Object.keys(value).length > 0;

/**
 * The parameters no translating provider honours, with the same tests everywhere: OpenAI-only
 * ones, and `server_tools`, the tools a client expects its own vendor's servers to run (Anthropic's
 * web search or code execution, the Responses API's hosted and namespaced tools), which no other
 * target can run.
 */
export const OPENAI_ONLY_PARAMETERS: readonly UnsupportedParameter[] = [
  { param: 'server_tools', changesAnswer: (value) => Array.isArray(value) && value.length > 0 },
  { param: 'logprobs', changesAnswer: (value) => value === true },
  { param: 'top_logprobs', changesAnswer: anyValue },
  { param: 'logit_bias', changesAnswer: nonEmptyObject },
  { param: 'audio', changesAnswer: anyValue },
  { param: 'modalities', changesAnswer: (value) => Array.isArray(value) && value.some((modality) => modality !== 'text') },
  { param: 'prediction', changesAnswer: anyValue },
];

/** The 400 for a parameter a provider cannot honour: one text for every provider. */
export function unsupportedParameter(param: string, provider: string, detail = `is not supported by ${provider}`): GatewayError {
  return invalidRequest(`The parameter '${param}' ${detail}. Remove it, or set dropUnsupportedParams on the provider to ignore it.`, param, 'unsupported_parameter');
}

/**
 * Rejects the first parameter of `table` whose value would change the answer, or, with
 * `dropUnsupportedParams` (`drop`), lets the request through: the provider's request builder
 * copies only the parameters it translates, so ignoring needs no work.
 */
export function rejectUnsupportedParameters(request: CanonicalRequest, table: readonly UnsupportedParameter[], provider: string, drop: boolean): void {
  if (drop) return;
  for (const { param, changesAnswer } of table) {
    const value = MODELLED[param]?.(request) ?? request.unmodelled[param];
    if (changesAnswer(value)) throw unsupportedParameter(param, provider);
  }
}
