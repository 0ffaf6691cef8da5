import type { GeminiPartialArg } from './wire';

type PathSegment = string | number;

/**
 * Rebuilds the arguments of a function call that Gemini streams piece by piece
 * (`streamFunctionCallArguments`): each piece names a JSON path (`$.location`, `$.items[0].id`)
 * and a value; a string value continues in the next piece for the same path while its
 * `willContinue` is true.
 *
 * @example
 * const args = new PartialArgs();
 * args.apply([{ jsonPath: '$.location', stringValue: 'Bos', willContinue: true }]);
 * args.apply([{ jsonPath: '$.location', stringValue: 'ton' }]);
 * args.json(); // '{"location":"Boston"}'
 */
export class PartialArgs {
  private readonly root: Record<string, unknown> = {};
  private readonly continuing = new Set<string>();

  /** Merges a whole `args` object (sent by models that do not stream arguments). */
  merge(args: Record<string, unknown>): void {
    Object.assign(this.root, args);
  }

  /** Applies streamed argument pieces in order. Pieces without a usable path are ignored. */
  apply(pieces: GeminiPartialArg[]): void {
    for (const piece of pieces) {
      const path = piece.jsonPath;
      const segments = path === undefined ? undefined : parsePath(path);
      if (path === undefined || segments === undefined || segments.length === 0 || segments.includes('__proto__')) continue;
      let value: unknown;
      if (piece.stringValue !== undefined) {
        const previous = this.continuing.has(path) ? get(this.root, segments) : undefined;
        value = typeof previous === 'string' ? previous + piece.stringValue : piece.stringValue;
      } else if (piece.numberValue !== undefined) value = piece.numberValue;
      else if (piece.boolValue !== undefined) value = piece.boolValue;
      else if ('nullValue' in piece) value = null;
      else continue;
      set(this.root, segments, value);
      if (piece.willContinue === true) this.continuing.add(path);
      else this.continuing.delete(path);
    }
  }

  /** The arguments as a JSON string (`"{}"` when the call has none). */
  json(): string {
    return JSON.stringify(this.root);
  }
}

/** Parses `$.a.b[0]['c d']` into `['a', 'b', 0, 'c d']`; `undefined` for anything else. */
function parsePath(path: string): PathSegment[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const segments: PathSegment[] = [];
  const pattern = /\.([^.[\]]+)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]/gy;
  pattern.lastIndex = 1;
  while (pattern.lastIndex < path.length) {
    const match = pattern.exec(path);
    if (!match) return undefined;
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push((match[3] ?? match[4] ?? '').replace(/\\(.)/g, '$1'));
  }
  return segments;
}

function get(root: unknown, segments: PathSegment[]): unknown {
  let node = root;
  for (const segment of segments) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PathSegment, unknown>)[segment];
  }
  return node;
}

function set(root: Record<string, unknown>, segments: PathSegment[], value: unknown): void {
  let node: Record<PathSegment, unknown> = root;
  segments.forEach((segment, i) => {
    if (i === segments.length - 1) {
      node[segment] = value;
      return;
    }
    const next = segments[i + 1];
    if (typeof node[segment] !== 'object' || node[segment] === null) node[segment] = typeof next === 'number' ? [] : {};
    node = node[segment] as Record<PathSegment, unknown>;
  });
}
