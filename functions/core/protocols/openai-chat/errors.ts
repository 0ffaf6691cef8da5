import type { GatewayError } from '../../errors';

/** The OpenAI error envelope. */
interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** The OpenAI error envelope for `error` (also sent as the last event of a failed stream). */
export function openAiErrorBody(error: GatewayError): OpenAiErrorBody {
  return { error: { message: error.message, type: error.type, param: error.param, code: error.code } };
}

/** The error as an OpenAI API answer: its status, the envelope and the retry headers. */
export function openAiErrorResponse(error: GatewayError, headers: Record<string, string> = {}): Response {
  return error.toResponse(openAiErrorBody(error), headers);
}
