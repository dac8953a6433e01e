import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEventBytes, EventSplitter } from '../src/index.js';

const repo = new URL('../../../../', import.meta.url).pathname;

/** Every event text of the real samples and the scenario corpus. */
export function corpusEvents(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.xml')) files.push(full);
    }
  };
  walk(join(repo, 'test', 'fixtures', 'windows-samples'));
  walk(join(repo, 'test', 'scenarios'));
  walk(join(repo, 'examples'));
  const out: string[] = [];
  for (const f of files) {
    const s = new EventSplitter(1 << 22);
    for (const item of [...s.push(readFileSync(f)), ...s.end()]) {
      if (item.kind === 'event') out.push(decodeEventBytes(item.bytes, item.encoding)!);
    }
  }
  return out;
}
