import { limitHeapGrowth, SERVE_HEAP_GROWING_PERCENT } from '../../../functions/cli/heap-growth';

describe('limitHeapGrowth', () => {
  it('sets V8 heap growth for the server when nobody chose one', () => {
    const set: string[] = [];
    expect(limitHeapGrowth(['--enable-source-maps'], '--max-old-space-size=512', (flags) => set.push(flags))).toBe(true);
    expect(set).toEqual([`--heap-growing-percent=${SERVE_HEAP_GROWING_PERCENT}`]);
  });

  it('leaves a value given on the command line or in NODE_OPTIONS alone', () => {
    const set: string[] = [];
    expect(limitHeapGrowth(['--heap-growing-percent=100'], undefined, (flags) => set.push(flags))).toBe(false);
    expect(limitHeapGrowth([], '--inspect --heap-growing-percent=20', (flags) => set.push(flags))).toBe(false);
    expect(set).toEqual([]);
  });
});
