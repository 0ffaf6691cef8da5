import { PartialArgs } from '../../../../functions/providers/gemini/partial-args';

describe('PartialArgs (streamed function-call arguments)', () => {
  it('is "{}" for a call without arguments', () => {
    expect(new PartialArgs().json()).toBe('{}');
  });

  it('joins a string continued across pieces and ends it on a piece without willContinue', () => {
    const args = new PartialArgs();
    args.apply([{ jsonPath: '$.location', stringValue: 'San ', willContinue: true }]);
    args.apply([{ jsonPath: '$.location', stringValue: 'Francisco', willContinue: true }]);
    args.apply([{ jsonPath: '$.location', stringValue: '' }]);
    args.apply([{ jsonPath: '$.location', stringValue: 'replaced' }]);

    expect(JSON.parse(args.json())).toEqual({ location: 'replaced' });
  });

  it('builds nested objects and arrays from paths, with numbers, booleans and nulls', () => {
    const args = new PartialArgs();
    args.apply([
      { jsonPath: '$.items[0].name', stringValue: 'a' },
      { jsonPath: '$.items[1].name', stringValue: 'b' },
      { jsonPath: "$['odd key']", numberValue: 2.5 },
      { jsonPath: '$.flag', boolValue: false },
      { jsonPath: '$.none', nullValue: 'NULL_VALUE' },
    ]);

    expect(JSON.parse(args.json())).toEqual({ items: [{ name: 'a' }, { name: 'b' }], 'odd key': 2.5, flag: false, none: null });
  });

  it('ignores pieces with unusable paths, including prototype keys', () => {
    const args = new PartialArgs();
    args.apply([
      { jsonPath: 'location', stringValue: 'x' },
      { jsonPath: '$.__proto__.polluted', stringValue: 'x' },
      { stringValue: 'x' },
    ]);

    expect(args.json()).toBe('{}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
