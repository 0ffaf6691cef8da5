/**
 * The benchmark's chart (`bench/results/latest.svg`, shown in docs/benchmark.md): for each
 * protocol the peer also speaks, the time to first byte added over the direct call (p50) and the
 * server's CPU per request, by concurrency — Switchyard beside the peer and the floor (a bare
 * `node:http` proxy), JSON and streamed requests. Plain SVG, written here: a few lines and labels
 * need no charting library.
 */
import type { BenchResult, CellResult } from './report';

const PANEL_WIDTH = 330;
const PANEL_HEIGHT = 190;
const MARGIN = { left: 52, right: 12, top: 26, bottom: 34 };
const COLUMN_GAP = 24;
const ROW_GAP = 18;
const HEADER = 44;

/** One line of a panel: a server and a request kind. */
interface Series {
  label: string;
  color: string;
  dashed: boolean;
  points: Array<{ concurrency: number; value: number }>;
}

/** What each panel plots for a cell of the server, given the direct call's cell. */
const METRICS = [
  { title: 'TTFB added, p50 (ms)', value: (cell: CellResult, direct: CellResult) => Math.max(0, cell.ttfbP50Ms - direct.ttfbP50Ms) },
  { title: 'server CPU per request (ms)', value: (cell: CellResult) => cell.cpuPerRequestMs ?? Number.NaN },
] as const;

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A readable upper bound for the axis: 1, 2 or 5 times a power of ten. */
function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].map((step) => step * power).find((bound) => bound >= value) ?? 10 * power);
}

function panel(x: number, y: number, title: string, series: Series[], concurrencies: number[]): string[] {
  const width = PANEL_WIDTH - MARGIN.left - MARGIN.right;
  const height = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const values = series.flatMap((line) => line.points.map((point) => point.value)).filter((value) => Number.isFinite(value));
  const top = niceMax(Math.max(0, ...values));
  const xOf = (concurrency: number): number => x + MARGIN.left + (concurrencies.indexOf(concurrency) / Math.max(1, concurrencies.length - 1)) * width;
  const yOf = (value: number): number => y + MARGIN.top + height - (value / top) * height;
  const out = [
    `<rect x="${x}" y="${y}" width="${PANEL_WIDTH}" height="${PANEL_HEIGHT}" fill="#fff" stroke="#ddd"/>`,
    `<text x="${x + MARGIN.left}" y="${y + 16}" font-size="12" font-weight="bold">${escape(title)}</text>`,
  ];
  for (const fraction of [0, 0.5, 1]) {
    const tickY = yOf(top * fraction);
    out.push(`<line x1="${x + MARGIN.left}" x2="${x + MARGIN.left + width}" y1="${tickY}" y2="${tickY}" stroke="#eee"/>`);
    out.push(`<text x="${x + MARGIN.left - 6}" y="${tickY + 4}" font-size="10" text-anchor="end">${+(top * fraction).toPrecision(3)}</text>`);
  }
  for (const concurrency of concurrencies) {
    out.push(`<text x="${xOf(concurrency)}" y="${y + PANEL_HEIGHT - 18}" font-size="10" text-anchor="middle">${concurrency}</text>`);
  }
  out.push(`<text x="${x + MARGIN.left + width / 2}" y="${y + PANEL_HEIGHT - 5}" font-size="10" text-anchor="middle">concurrency</text>`);
  for (const line of series) {
    const points = line.points.filter((point) => Number.isFinite(point.value));
    if (points.length === 0) continue;
    const path = points.map((point) => `${xOf(point.concurrency).toFixed(1)},${yOf(point.value).toFixed(1)}`).join(' ');
    out.push(`<polyline points="${path}" fill="none" stroke="${line.color}" stroke-width="2"${line.dashed ? ' stroke-dasharray="5,3"' : ''}/>`);
    for (const point of points) out.push(`<circle cx="${xOf(point.concurrency).toFixed(1)}" cy="${yOf(point.value).toFixed(1)}" r="2.5" fill="${line.color}"/>`);
  }
  return out;
}

/** The chart of a result with a peer; `undefined` when no peer ran (nothing to compare). */
export function renderChart(result: BenchResult): string | undefined {
  if (!result.peer) return undefined;
  const protocols = [...new Set(result.cells.filter((cell) => cell.target === 'peer').map((cell) => cell.protocol))];
  const concurrencies = [...new Set(result.cells.map((cell) => cell.concurrency))].sort((a, b) => a - b);
  const servers = [
    { target: 'gateway' as const, name: 'Switchyard', colors: { json: '#1f6feb', stream: '#0b3d91' }, dashed: false },
    { target: 'peer' as const, name: 'peer', colors: { json: '#e36209', stream: '#9a3412' }, dashed: true },
    { target: 'floor' as const, name: 'floor', colors: { json: '#9ca3af', stream: '#4b5563' }, dashed: true },
  ];
  const seriesOf = (protocol: CellResult['protocol'], metric: (typeof METRICS)[number]): Series[] =>
    servers.flatMap((server) =>
      (['json', 'stream'] as const).map((kind) => ({
        label: `${server.name} ${kind}`,
        color: server.colors[kind],
        dashed: server.dashed,
        points: concurrencies.flatMap((concurrency) => {
          const match = (target: CellResult['target']): CellResult | undefined => result.cells.find((cell) => cell.target === target && cell.protocol === protocol && cell.kind === kind && cell.concurrency === concurrency);
          const cell = match(server.target);
          const direct = match('direct');
          return cell && direct ? [{ concurrency, value: metric.value(cell, direct) }] : [];
        }),
      })),
    );
  const width = 2 * PANEL_WIDTH + COLUMN_GAP + 20;
  const height = HEADER + protocols.length * (PANEL_HEIGHT + ROW_GAP) + 10;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#fafafa"/>`,
    `<text x="10" y="18" font-size="13" font-weight="bold">Switchyard and ${escape(result.peer)}, ${escape(result.startedAt.slice(0, 10))}</text>`,
  ];
  let legendX = 10;
  for (const server of servers) {
    for (const kind of ['json', 'stream'] as const) {
      out.push(`<line x1="${legendX}" x2="${legendX + 22}" y1="33" y2="33" stroke="${server.colors[kind]}" stroke-width="2"${server.dashed ? ' stroke-dasharray="5,3"' : ''}/>`);
      out.push(`<text x="${legendX + 26}" y="37" font-size="11">${server.name} ${kind}</text>`);
      legendX += 112;
    }
  }
  protocols.forEach((protocol, row) => {
    const y = HEADER + row * (PANEL_HEIGHT + ROW_GAP);
    METRICS.forEach((metric, column) => {
      out.push(...panel(10 + column * (PANEL_WIDTH + COLUMN_GAP), y, `${protocol}: ${metric.title}`, seriesOf(protocol, metric), concurrencies));
    });
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
