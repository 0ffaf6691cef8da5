import { periodKey } from '../../../../functions/core/ports/spend-store';

describe('periodKey: the counter of the UTC period a moment falls in', () => {
  it.each([
    ['day', Date.UTC(2026, 10, 24, 23, 59, 59), '2026-11-24'],
    ['month', Date.UTC(2026, 10, 30, 23, 59, 59), '2026-11'],
    ['total', Date.UTC(2026, 10, 24), 'total'],
    // ISO weeks run Monday to Sunday (UTC); the week's Thursday names its year.
    ['week', Date.UTC(2026, 10, 29, 23, 59, 59), '2026-W48'], // Sunday 29 November
    ['week', Date.UTC(2026, 10, 30, 0, 0, 0), '2026-W49'], // Monday 30 November
    ['week', Date.UTC(2026, 11, 31, 12), '2026-W53'], // Thursday 31 December: 2026 has 53 weeks
    ['week', Date.UTC(2027, 0, 1, 12), '2026-W53'], // Friday 1 January 2027 still belongs to it
    ['week', Date.UTC(2027, 0, 4, 0), '2027-W01'], // Monday 4 January 2027
    ['week', Date.UTC(2025, 11, 29, 12), '2026-W01'], // Monday 29 December 2025: 2026's first week
  ] as const)('%s of %d is %s', (period, at, key) => {
    expect(periodKey(period, at)).toBe(key);
  });
});
