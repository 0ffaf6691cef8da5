import { addedLatency, toMarkdown, type BenchResult, type CellResult } from '../../../bench/report';

/** A cell with round figures; only what the side-by-side table reads matters. */
function cell(target: CellResult['target'], protocol: CellResult['protocol'], ttfbP50Ms: number, cpuPerRequestMs?: number): CellResult {
  return {
    target,
    protocol,
    kind: 'json',
    concurrency: 16,
    requests: 100,
    errors: 0,
    requestsPerSecond: 1000,
    p50Ms: ttfbP50Ms,
    p99Ms: ttfbP50Ms * 2,
    ttfbP50Ms,
    ttfbP99Ms: ttfbP50Ms * 2,
    ...(cpuPerRequestMs === undefined ? {} : { cpuPerRequestMs }),
  };
}

function result(cells: CellResult[], peer?: string): BenchResult {
  return {
    mode: 'quick',
    startedAt: '2026-12-02T00:00:00.000Z',
    machine: { nproc: 2, cpuModel: 'test CPU', node: 'v22.0.0', loadAverageBefore: [0, 0, 0], loadAverageAfter: [0, 0, 0] },
    settings: { streamIntervalMs: 1, eventsPerStream: 24, maxDurationMs: 250, maxRequests: 200 },
    ...(peer ? { peer } : {}),
    pinned: true,
    cells,
    added: addedLatency(cells),
    coldStart: { measured: false, reason: 'not in this test' },
    storeThroughput: { pairs: 10, durationMs: 2, pairsPerSecond: 5000 },
  };
}

/** The side-by-side table's rows, each as its cells. */
function sideBySideRows(markdown: string): string[][] {
  const table = markdown.slice(markdown.indexOf('**Side by side**'), markdown.indexOf('**Lambda bundle cold start**'));
  return table
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| protocol'))
    .map((line) => line.slice(2, -2).split(' | '));
}

describe('bench report: Switchyard beside the floor and the peer', () => {
  const chat = [cell('direct', 'chat', 0.1), cell('gateway', 'chat', 1.1, 0.4), cell('floor', 'chat', 0.3, 0.1), cell('peer', 'chat', 2.1, 0.8)];
  const translated = [cell('direct', 'responses-translated', 0.2), cell('gateway', 'responses-translated', 1.7, 0.5), cell('floor', 'responses-translated', 0.4, 0.125)];

  it('measures what the gateway, the floor and the peer each add over the direct call', () => {
    const added = addedLatency(chat).map(({ target, ttfbP50Ms }) => [target, Number(ttfbP50Ms.toFixed(3))]);
    expect(added).toEqual([
      ['gateway', 1],
      ['floor', 0.2],
      ['peer', 2],
    ]);
  });

  it("shows Switchyard's CPU as a multiple of the floor's and the peer's as a multiple of Switchyard's", () => {
    const rows = sideBySideRows(toMarkdown(result([...chat, ...translated], 'Peer 1.0')));
    expect(rows[0]).toEqual(['chat', 'json', '16', '0.10', '1.00', '0.20', '2.00', '0.400', '0.100', '4.0×', '0.800', '2.0×']);
  });

  it('keeps a row the peer has no counterpart for, with its columns empty', () => {
    const rows = sideBySideRows(toMarkdown(result([...chat, ...translated], 'Peer 1.0')));
    expect(rows[1]).toEqual(['responses-translated', 'json', '16', '0.20', '1.50', '0.20', '–', '0.500', '0.125', '4.0×', '–', '–']);
  });

  it('leaves the peer columns out when no peer ran', () => {
    const markdown = toMarkdown(result(translated));
    expect(markdown).toContain('| protocol | kind | conc. | direct TTFB p50 ms | added TTFB p50 ms: Switchyard | floor | CPU ms/req: Switchyard | floor | Switchyard ÷ floor |');
    expect(sideBySideRows(markdown)).toEqual([['responses-translated', 'json', '16', '0.20', '1.50', '0.20', '0.500', '0.125', '4.0×']]);
  });
});
