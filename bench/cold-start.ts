import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ColdStartResult } from './report';

const HANDLER = resolve(__dirname, '..', 'functions/handlers/gateway.ts');

/** Placeholder until the handler lands; replaced below. */
export async function measureColdStart(_runs: number, _work: string): Promise<ColdStartResult> {
  if (!existsSync(HANDLER)) return { measured: false, reason: 'functions/handlers/gateway.ts does not exist on this branch yet.' };
  return { measured: false, reason: 'todo' };
}
