import { forwardedBetas } from '../../../../functions/providers/anthropic/native';

describe('anthropic-beta values forwarded to an Anthropic provider', () => {
  const header = 'interleaved-thinking-2025-05-14, context-management-2025-06-27,files-api-2025-04-14';

  it('forwards every value by default, without the spaces', () => {
    expect(forwardedBetas(header, undefined)).toBe('interleaved-thinking-2025-05-14,context-management-2025-06-27,files-api-2025-04-14');
  });

  it('keeps only the allowed values, never the denied ones, and sends no header when none is left', () => {
    expect(forwardedBetas(header, { allow: ['interleaved-thinking-2025-05-14', 'files-api-2025-04-14'], deny: ['files-api-2025-04-14'] })).toBe('interleaved-thinking-2025-05-14');
    expect(forwardedBetas(header, { deny: ['context-management-2025-06-27'] })).toBe('interleaved-thinking-2025-05-14,files-api-2025-04-14');
    expect(forwardedBetas(header, { allow: [] })).toBeUndefined();
    expect(forwardedBetas(null, { allow: ['x'] })).toBeUndefined();
  });
});
