import type { Principal } from '../../../../functions/core/pipeline/authenticate';
import { principalFromContext, principalToContext } from '../../../../functions/adapters/aws/principal-context';

describe('principal authorizer context', () => {
  it.each<[string, Principal]>([
    ['a full principal', { keyId: 'key_1', keyName: 'search', team: 'ml', models: ['smart', 'fast'], budget: { usd: 12.5, period: 'month' }, perUserBudget: { usd: 2, period: 'day' }, rpm: 60, tpm: 100000 }],
    ['a minimal principal', { keyId: 'key_2', keyName: 'k', team: undefined, models: undefined, budget: undefined, rpm: undefined, tpm: undefined }],
  ])('round-trips %s through string-only context, as API Gateway delivers it', (_name, principal) => {
    const context = principalToContext(principal);
    expect(Object.values(context).every((value) => typeof value === 'string')).toBe(true);
    expect(principalFromContext({ ...context, principalId: principal.keyId, integrationLatency: 12 })).toEqual(principal);
  });

  it('is undefined for a request that did not pass the authorizer', () => {
    expect(principalFromContext(null)).toBeUndefined();
    expect(principalFromContext({})).toBeUndefined();
  });
});
