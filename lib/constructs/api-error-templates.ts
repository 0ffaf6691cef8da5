/**
 * A VTL body template for an API Gateway gateway response that renders the OpenAI error envelope
 * `{"error":{"message","type","param","code"}}`. `$context.error.messageString` is API Gateway's
 * own message, already JSON-quoted.
 */
export function openAiErrorTemplate(type: string, code: string | null): string {
  return `{"error":{"message":$context.error.messageString,"type":${JSON.stringify(type)},"param":null,"code":${JSON.stringify(code)}}}`;
}
