import { invalidRequest } from '../../errors';

/**
 * Body fields through which other gateways and SDK wrappers let a caller choose the upstream or
 * its credentials (LiteLLM's `api_base`/`api_key`, SDK options sent by mistake as `extra_body`).
 * Switchyard never honours them: the config alone decides where a request goes and with which
 * key. They are refused with a 400 rather than dropped, so a caller relying on them learns at once.
 */
const CLIENT_CONTROLLED_FIELDS = new Set([
  'base_url',
  'baseURL',
  'baseUrl',
  'api_base',
  'api_key',
  'apiKey',
  'api_version',
  'api_type',
  'organization',
  'extra_headers',
  'extra_query',
  'extra_body',
  'headers',
  'default_headers',
  'aws_access_key_id',
  'aws_secret_access_key',
  'aws_session_token',
  'aws_region_name',
  'vertex_credentials',
]);

/** Throws a 400 naming the first field of the body that would let the client steer the upstream. */
export function rejectClientControlledFields(body: Record<string, unknown>): void {
  for (const key of Object.keys(body)) {
    if (CLIENT_CONTROLLED_FIELDS.has(key)) {
      throw invalidRequest(`Unrecognized request argument supplied: ${key}. The gateway chooses the provider endpoint, credentials and headers; clients cannot set them.`, key, 'unsupported_parameter');
    }
  }
}
