import { forwardedBetas } from '../../../../functions/providers/shared/anthropic-betas';

describe('anthropic-beta values forwarded to a provider that serves Claude natively', () => {
  const header = 'interleaved-thinking-2025-05-14, context-management-2025-06-27,files-api-2025-04-14';

  it('forwards every value by default, without the spaces', () => {
    expect(forwardedBetas(header, undefined)).toEqual(['interleaved-thinking-2025-05-14', 'context-management-2025-06-27', 'files-api-2025-04-14']);
  });

  it('keeps only the allowed values, never the denied ones, and none when none is left', () => {
    expect(forwardedBetas(header, { allow: ['interleaved-thinking-2025-05-14', 'files-api-2025-04-14'], deny: ['files-api-2025-04-14'] })).toEqual(['interleaved-thinking-2025-05-14']);
    expect(forwardedBetas(header, { deny: ['context-management-2025-06-27'] })).toEqual(['interleaved-thinking-2025-05-14', 'files-api-2025-04-14']);
    expect(forwardedBetas(header, { allow: [] })).toEqual([]);
    expect(forwardedBetas(null, { allow: ['x'] })).toEqual([]);
  });
});
