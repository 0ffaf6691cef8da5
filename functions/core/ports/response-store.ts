/** A response kept for its key (`store: true`), with the conversation that led to it. */
export interface StoredResponse {
  /** `resp_…`. */
  responseId: string;
  /** The key that created it: the only one that may read, continue or delete it. */
  keyId: string;
  /** The response object as the client got it. */
  response: Readonly<Record<string, unknown>>;
  /**
   * The input items of the whole conversation up to this response: the inputs and outputs of the
   * responses it continued (`previous_response_id`), then its own input.
   */
  input: readonly unknown[];
  /** Epoch milliseconds. */
  createdAt: number;
}

/**
 * Stored Responses API responses (DESIGN §2), per key: DynamoDB with a TTL on AWS, the data
 * directory locally. A lookup with another key's id finds nothing, so ids leak nothing.
 */
export interface ResponseStore {
  put(record: StoredResponse): Promise<void>;
  /** The response `responseId` of `keyId`, or `undefined` (none, another key's, or expired). */
  get(keyId: string, responseId: string): Promise<StoredResponse | undefined>;
  /** Deletes the response; `false` when `keyId` has no such response. */
  delete(keyId: string, responseId: string): Promise<boolean>;
}
