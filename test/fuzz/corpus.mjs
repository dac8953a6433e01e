// The seed corpus of the fuzzers: real event renderings, read once. Sources (field for field as Windows writes
// them): test/fixtures/windows-samples/*.xml (captured renderings), test/scenarios/**/*.xml (scenario events built
// from the domain doc), examples/seed-story/*.xml (a whole story), and test/fixtures/evtx-samples/*.evtx (binary logs).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(repo, 'test', 'fixtures');

/** Every `.xml` file under `dir` (recursively), as `{ name, bytes }`. */
function xmlFilesUnder(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...xmlFilesUnder(path));
    else if (entry.endsWith('.xml')) out.push({ name: path.slice(repo.length - 1), bytes: readFileSync(path) });
  }
  return out;
}

/** The XML seed files: samples, scenario events and the seed story. */
export function xmlSeeds() {
  return [
    ...xmlFilesUnder(join(fixtures, 'windows-samples')),
    ...xmlFilesUnder(join(repo, 'test', 'scenarios')),
    ...xmlFilesUnder(join(repo, 'examples', 'seed-story')),
  ];
}

/** The small .evtx samples (under 1.2 MB each, so a mutated copy per case stays cheap). */
export function evtxSeeds(maxBytes = 1_200_000) {
  const dir = join(fixtures, 'evtx-samples');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith('.evtx') && statSync(join(dir, n)).size <= maxBytes)
    .sort()
    .map((n) => ({ name: n, bytes: readFileSync(join(dir, n)) }));
}
