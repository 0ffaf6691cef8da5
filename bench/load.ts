/**
 * The load generator: `concurrency` workers on keep-alive connections (node:http `Agent`; undici
 * is not a dependency of this project), each sending requests back to back until the count or the
 * time bound is reached, whichever comes first. Latency is measured to the last byte of the body,
 * time to first byte to the first byte of the body.
 */
import { Agent, request } from 'node:http';

/** One load run. */
export interface LoadSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
  concurrency: number;
  /** Upper bound on requests sent. */
  maxRequests: number;
  /** Upper bound on the run's duration; requests in flight when it passes still complete. */
  maxDurationMs: number;
}

/** Raw measurements of a load run. */
export interface LoadResult {
  requests: number;
  errors: number;
  durationMs: number;
  latenciesMs: number[];
  ttfbMs: number[];
  firstError: string | undefined;
}

function once(agent: Agent, spec: LoadSpec, body: Buffer): Promise<{ latencyMs: number; ttfbMs: number; status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let ttfb = -1;
    const target = new URL(spec.url);
    const req = request(
      { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { ...spec.headers, 'content-length': body.length } },
      (res) => {
        const status = res.statusCode ?? 0;
        let text = '';
        res.on('data', (part: Buffer) => {
          if (ttfb < 0) ttfb = performance.now() - started;
          // Keep only the start of an error body, for the report.
          if (status !== 200 && text.length < 500) text += part.toString();
        });
        res.on('end', () => resolve({ latencyMs: performance.now() - started, ttfbMs: ttfb < 0 ? performance.now() - started : ttfb, status, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs the load; never more than `maxRequests` requests and `maxDurationMs` (plus the requests in flight). */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency });
  const body = Buffer.from(spec.body);
  const result: LoadResult = { requests: 0, errors: 0, durationMs: 0, latenciesMs: [], ttfbMs: [], firstError: undefined };
  const started = performance.now();
  const deadline = started + spec.maxDurationMs;
  let issued = 0;
  const worker = async (): Promise<void> => {
    while (issued < spec.maxRequests && performance.now() < deadline) {
      issued += 1;
      try {
        const response = await once(agent, spec, body);
        result.requests += 1;
        if (response.status !== 200) {
          result.errors += 1;
          result.firstError ??= `HTTP ${response.status}: ${response.text}`;
          continue;
        }
        result.latenciesMs.push(response.latencyMs);
        result.ttfbMs.push(response.ttfbMs);
      } catch (error) {
        result.requests += 1;
        result.errors += 1;
        result.firstError ??= String(error);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: spec.concurrency }, worker));
  } finally {
    agent.destroy();
  }
  result.durationMs = performance.now() - started;
  return result;
}

/** The `p`-th percentile (0–100) by nearest rank; NaN for no samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}
