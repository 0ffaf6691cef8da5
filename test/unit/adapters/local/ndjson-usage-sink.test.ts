import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NdjsonUsageSink } from '../../../../functions/adapters/local/ndjson-sinks';
import type { LogFields, Logger } from '../../../../functions/core/ports/logger';
import type { UsageEvent } from '../../../../functions/core/usage/usage-event';
import { makeUsageEvent, makeUsageEvents } from '../../../helpers/usage-events';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'switchyard-usage-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const readLines = async (path: string): Promise<UsageEvent[]> =>
  (await readFile(path, 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as UsageEvent);

const errorLogger = (lines: { message: string; fields?: LogFields }[]): Logger => ({
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message, fields) => void lines.push({ message, fields }),
});

describe('NdjsonUsageSink', () => {
  it('appends each event as one JSON line under usage/dt=<UTC day of ts>/', async () => {
    const sink = new NdjsonUsageSink({ dataDir, logger: errorLogger([]), fileName: 'part.ndjson' });
    const first = makeUsageEvent({ request_id: 'req_a', ts: '2026-03-14T23:59:59.000Z' });
    const second = makeUsageEvent({ request_id: 'req_b', ts: '2026-03-15T00:00:01.000Z' });
    const third = makeUsageEvent({ request_id: 'req_c', ts: '2026-03-15T01:00:00.000+02:00' });

    for (const event of [first, second, third]) await sink.write(event);
    await sink.close();

    expect((await readdir(join(dataDir, 'usage'))).sort()).toEqual(['dt=2026-03-14', 'dt=2026-03-15']);
    expect(await readLines(join(dataDir, 'usage', 'dt=2026-03-14', 'part.ndjson'))).toEqual([first, third]);
    expect(await readLines(join(dataDir, 'usage', 'dt=2026-03-15', 'part.ndjson'))).toEqual([second]);
  });

  it('keeps call order and whole lines under many concurrent writes', async () => {
    const sink = new NdjsonUsageSink({ dataDir, logger: errorLogger([]), fileName: 'part.ndjson' });
    const events = makeUsageEvents(300, { tags: { service: 'x'.repeat(2000) } });

    await Promise.all(events.map((event) => sink.write(event)));
    await sink.close();

    const written = await readLines(join(dataDir, 'usage', 'dt=2026-03-14', 'part.ndjson'));
    expect(written.map((event) => event.request_id)).toEqual(events.map((event) => event.request_id));
  });

  it('gives two sinks on one data directory separate files', async () => {
    const one = new NdjsonUsageSink({ dataDir, logger: errorLogger([]) });
    const two = new NdjsonUsageSink({ dataDir, logger: errorLogger([]) });

    await one.write(makeUsageEvent({ request_id: 'req_one' }));
    await two.write(makeUsageEvent({ request_id: 'req_two' }));
    await Promise.all([one.close(), two.close()]);

    const files = await readdir(join(dataDir, 'usage', 'dt=2026-03-14'));
    expect(files).toHaveLength(2);
    expect(files.every((file) => file.endsWith('.ndjson'))).toBe(true);
  });

  it('logs the whole event and counts it when the file cannot be written, without throwing', async () => {
    // A plain file where the usage directory should be makes every append fail.
    await writeFile(join(dataDir, 'usage'), 'not a directory');
    const lines: { message: string; fields?: LogFields }[] = [];
    const failures: number[] = [];
    const sink = new NdjsonUsageSink({ dataDir, logger: errorLogger(lines), metrics: { recordUsageDeliveryFailure: (n) => void failures.push(n) } });
    const event = makeUsageEvent({ request_id: 'req_lost' });

    await expect(sink.write(event)).resolves.toBeUndefined();
    await sink.write(makeUsageEvent({ request_id: 'req_lost_too' }));

    expect(lines.map((line) => (line.fields?.usage_event as UsageEvent).request_id)).toEqual(['req_lost', 'req_lost_too']);
    expect(lines[0]?.fields?.usage_event).toEqual(event);
    expect(failures).toEqual([1, 1]);
  });
});
