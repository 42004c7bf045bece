import { readFileSync } from 'node:fs';

export function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

/** Where two texts part, so a stale-file failure shows what changed. */
export function firstDifference(committed: string, fresh: string): string {
  const a = committed.split('\n');
  const b = fresh.split('\n');
  const line = a.findIndex((text, index) => text !== b[index]);
  const at = line === -1 ? a.length : line;
  const clip = (text: string | undefined) => (text === undefined ? '(end of file)' : text.slice(0, 200));
  return `first difference at line ${at + 1}:\n    committed: ${clip(a[at])}\n    fresh:     ${clip(b[at])}`;
}
