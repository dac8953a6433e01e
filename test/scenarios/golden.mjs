// Rewrites test/scenarios/*/expected.json from the built otptrace (run `npm run build` first), but only for scenarios
// whose analysis agrees with their hand-written intent.json. Review the diff: it is the verdict change.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzePaths } from '../../packages/adapters/files/dist/index.js';
import { toJson } from '../../packages/core/pipeline/dist/index.js';
import { analysisConfigSchema } from '../../schemas/dist/index.js';
import { intentOf, verdictsOf } from './verdicts.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
let failed = 0;
for (const name of readdirSync(here).sort()) {
  const dir = join(here, name);
  if (!existsSync(join(dir, 'intent.json'))) continue;
  // Relative paths keep file names in `rejected` independent of where the repository lives.
  // A scenario may carry its analysis settings (e.g. NPS log offsets) in config.json; analyze does not read .json.
  const settings = existsSync(join(dir, 'config.json'))
    ? JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))
    : {};
  const json = toJson(await analyzePaths([relative(process.cwd(), dir)], analysisConfigSchema.parse(settings)));
  const intent = JSON.parse(readFileSync(join(dir, 'intent.json'), 'utf8'));
  if (JSON.stringify(intentOf(json)) !== JSON.stringify(intent)) {
    failed++;
    console.error(`${name}: analysis disagrees with intent.json; expected.json left alone`);
    continue;
  }
  writeFileSync(join(dir, 'expected.json'), `${JSON.stringify(verdictsOf(json), null, 2)}\n`);
}
void repo;
process.exitCode = failed === 0 ? 0 : 1;
