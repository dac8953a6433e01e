import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzePaths } from '@otptrace/files';
import { toJson } from '@otptrace/pipeline';
import {
  analysisConfigSchema,
  PUBLISHED_SCHEMAS,
  type PublishedSchemaName,
  publishedJsonSchema,
} from '@otptrace/schemas';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';

// The JSON Schemas in schemas/json are what the zod schemas generate, and real output validates against them.
const ROOT = new URL('../../', import.meta.url).pathname;
const committed = (name: string) =>
  JSON.parse(readFileSync(join(ROOT, `schemas/json/${name}.schema.json`), 'utf8')) as Record<string, unknown>;
const NAMES = Object.keys(PUBLISHED_SCHEMAS) as PublishedSchemaName[];

describe('published JSON Schemas', () => {
  it('are up to date with the zod schemas (npm run schemas writes them)', () => {
    expect(readdirSync(join(ROOT, 'schemas/json')).sort()).toEqual(NAMES.map((n) => `${n}.schema.json`).sort());
    for (const name of NAMES) expect(committed(name), name).toEqual(publishedJsonSchema(name));
  });

  it('accept the real output of analyze on the seed story and every scenario, and reject a broken record', async () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    const document = ajv.compile(committed('analysis-document'));
    const record = ajv.compile(committed('attempt-record'));
    const folders = [
      join(ROOT, 'examples/seed-story'),
      ...readdirSync(join(ROOT, 'test/scenarios'), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => join(ROOT, 'test/scenarios', d.name)),
    ];
    let attempts = 0;
    for (const folder of folders) {
      const json = JSON.parse(JSON.stringify(toJson(await analyzePaths([folder], analysisConfigSchema.parse({})))));
      expect(document(json), `${folder}: ${ajv.errorsText(document.errors)}`).toBe(true);
      for (const a of json.attempts) expect(record(a), ajv.errorsText(record.errors)).toBe(true);
      attempts += json.attempts.length;
    }
    expect(attempts).toBeGreaterThan(30);
    const broken = { ...toJson(await analyzePaths([folders[0]!], analysisConfigSchema.parse({}))) };
    expect(document({ ...broken, schemaVersion: 2 })).toBe(false);
    expect(record({ ...broken.attempts[0], outcome: 'maybe' })).toBe(false);
  });

  it('accept the summary line of analyze --format ndjson (built command)', () => {
    const out = execFileSync(process.execPath, [
      join(ROOT, 'services/cli/bin/otptrace.js'),
      'analyze',
      '--format',
      'ndjson',
      '--outcome',
      'failure',
      join(ROOT, 'examples/seed-story'),
    ]).toString();
    const ajv = new Ajv2020({ strict: true });
    const line = ajv.compile(committed('analysis-summary-line'));
    const last = JSON.parse(out.trimEnd().split('\n').at(-1)!);
    expect(line(last), ajv.errorsText(line.errors)).toBe(true);
    expect(last.selection.shown).toBe(1);
  }, 60_000);

  it('a script checks them too (for CI without vitest)', () => {
    execFileSync(process.execPath, [join(ROOT, 'schemas/scripts/write-json-schemas.mjs'), '--check']);
  });
});
