import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { configSchema } from '../providers/config';

/** The JSON Schema of switchyard.config.json, generated from the zod schema (one source of truth). */
export function configJsonSchema(): Record<string, unknown> {
  return { ...z.toJSONSchema(configSchema, { io: 'input' }), title: 'Switchyard config', $id: 'https://switchyard.dev/config.schema.json' };
}

if (require.main === module) {
  const target = join(__dirname, '..', '..', 'switchyard.config.schema.json');
  writeFileSync(target, JSON.stringify(configJsonSchema(), null, 2) + '\n');
  process.stdout.write(`wrote ${target}\n`);
}
