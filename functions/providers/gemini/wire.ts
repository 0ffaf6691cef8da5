/**
 * The parts of the Generative Language API (`v1beta`) wire format that Switchyard reads or
 * writes. Response types are deliberately loose (every field optional, enums as `string`):
 * Google adds fields and enum values over time, and an unknown value must never break a stream.
 */

/** A JSON Schema subset object as accepted by `functionDeclarations[].parameters` and `responseSchema`. */
export type GeminiSchema = Record<string, unknown>;

/** A streamed piece of a function call's arguments (`streamFunctionCallArguments`). */
export interface GeminiPartialArg {
  jsonPath?: string;
  stringValue?: string;
  numberValue?: number;
  boolValue?: boolean;
  nullValue?: unknown;
  willContinue?: boolean;
}

/** A function call requested by the model. */
export interface GeminiFunctionCall {
  name?: string;
  args?: Record<string, unknown>;
  id?: string;
  /** Streamed argument pieces; the call continues in later parts while `willContinue` is true. */
  partialArgs?: GeminiPartialArg[];
  willContinue?: boolean;
}

/** One part of a content turn. Exactly one data field is set per part. */
export interface GeminiPart {
  text?: string;
  /** True when `text` is a thought summary (thinking), not answer text. */
  thought?: boolean;
  /** Opaque signature Gemini 3 requires back on function calls of the current turn. */
  thoughtSignature?: string;
  inlineData?: { mimeType: string; data: string };
  fileData?: { mimeType?: string; fileUri: string };
  functionCall?: GeminiFunctionCall;
  functionResponse?: { name: string; response: Record<string, unknown> };
}

/** One turn of the conversation. */
export interface GeminiContent {
  role?: 'user' | 'model';
  parts?: GeminiPart[];
}

/** The body of `models/{model}:generateContent` and `:streamGenerateContent`. */
export interface GeminiRequest {
  contents: GeminiContent[];
  systemInstruction?: { parts: Array<{ text: string }> };
  tools?: Array<{ functionDeclarations: Array<{ name: string; description?: string; parameters?: GeminiSchema }> }>;
  toolConfig?: { functionCallingConfig: { mode: 'AUTO' | 'ANY' | 'NONE'; allowedFunctionNames?: string[] } };
  generationConfig?: GeminiGenerationConfig;
}

/** `generationConfig` of a request. */
export interface GeminiGenerationConfig {
  temperature?: number;
  topP?: number;
  topK?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  candidateCount?: number;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseMimeType?: string;
  responseSchema?: GeminiSchema;
  thinkingConfig?: { thinkingBudget: number; includeThoughts?: boolean };
}

/** Token accounting; in a stream every chunk carries the running total so far. */
export interface GeminiUsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
  toolUsePromptTokenCount?: number;
  totalTokenCount?: number;
}

/** One candidate answer. */
export interface GeminiCandidate {
  index?: number;
  content?: GeminiContent;
  finishReason?: string;
}

/** A `GenerateContentResponse` (a whole answer, or one SSE event of a stream). */
export interface GeminiResponse {
  candidates?: GeminiCandidate[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: GeminiUsageMetadata;
  modelVersion?: string;
  responseId?: string;
}
