// Writes schemas/json/NAME.schema.json from the zod schemas (build first: npx tsc -b schemas).
// `--check`: write nothing, exit 1 when a committed file differs from what the schemas generate.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { PUBLISHED_SCHEMAS, publishedJsonSchema } from '../dist/index.js';

const check = process.argv.includes('--check');
let stale = 0;
for (const name of Object.keys(PUBLISHED_SCHEMAS)) {
  const path = new URL(`../json/${name}.schema.json`, import.meta.url);
  const text = `${JSON.stringify(publishedJsonSchema(name), null, 2)}\n`;
  if (existsSync(path) && readFileSync(path, 'utf8') === text) continue;
  stale++;
  if (check) process.stderr.write(`schemas/json/${name}.schema.json is not up to date: run npm run schemas\n`);
  else writeFileSync(path, text);
}
if (check && stale > 0) process.exit(1);
if (!check) process.stdout.write(`schemas/json: ${stale} file(s) written\n`);
