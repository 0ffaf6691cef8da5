import type { CanonicalUsage } from '../model/response';
import { costMicroUsd, type ModelPrice } from '../pricing';
import type { RequestRecord } from './request-record';
import { estimateTokens, tokensFromUsage, usageFromTokens } from './token-counts';

/** What a finished call left to account for. */
export interface CallUsage {
  /** The usage the provider reported, if any. */
  usage: CanonicalUsage | undefined;
  /** Bytes of the request body: with {@link completionChars}, the basis of an honest estimate. */
  promptBytes: number;
  /** Characters of content, reasoning and tool arguments received. */
  completionChars: number;
}

/**
 * The one accounting step of a request: its tokens (the provider's usage, else an honest estimate
 * marked `estimated`) and their cost at the target's price, recorded once on the usage record that
 * settlement, the usage event, the metrics and the cost header all read.
 */
export function accountUsage(record: RequestRecord, call: CallUsage, price: ModelPrice): void {
  record.tokens = call.usage ? tokensFromUsage(call.usage) : estimateTokens(call.promptBytes, call.completionChars);
  record.costMicroUsd = costMicroUsd(call.usage ?? usageFromTokens(record.tokens), price);
}
