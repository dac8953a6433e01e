// Generated corpora, written once per parameter set into bench/out/ and reused by every benchmark.

import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { OUT, ROOT } from './common.mjs';

const FILES = ['client.xml', 'iis.xml', 'nps.xml', 'ca.xml'];

/** Sizes of the corpora: --quick keeps every benchmark short. */
export const CORPORA = {
  quick: {
    mixed: { users: 2000, seed: 1, size: '50MB' },
    relevant: { users: 2000, seed: 1, days: 1, unrelatedRatio: 0 },
    analyze: { users: 2000, seed: 1, size: '100MB' },
  },
  full: {
    mixed: { users: 10000, seed: 1, size: '200MB' },
    relevant: { users: 10000, seed: 1, days: 1, unrelatedRatio: 0 },
    analyze: { users: 10000, seed: 1, size: '1GB' },
  },
};

function argvOf(params, dir) {
  const argv = ['--users', String(params.users), '--seed', String(params.seed), '--out', dir];
  if (params.size !== undefined) argv.push('--size', params.size);
  if (params.days !== undefined) argv.push('--days', String(params.days));
  if (params.unrelatedRatio !== undefined) argv.push('--unrelated-ratio', String(params.unrelatedRatio));
  // DA servers, NPS servers and CAs, as many of each (the generator's default: 2).
  if (params.servers !== undefined)
    for (const flag of ['--da-servers', '--nps-servers', '--cas']) argv.push(flag, String(params.servers));
  // Text logs instead of IIS / NPS event XML (bench/text-ingest.mjs).
  if (params.iis !== undefined) argv.push('--iis', params.iis);
  if (params.nps !== undefined) argv.push('--nps', params.nps);
  // How NPS names the DA servers (bench/correlate.mjs --radius-client-names).
  if (params.radiusClientNames !== undefined) argv.push('--radius-client-names', params.radiusClientNames);
  return argv;
}

/** Generate (once) the corpus for `params` with `otptrace generate`; returns its folder. */
export async function ensureCorpus(params) {
  const name = Object.entries(params)
    .map(([k, v]) => `${k}-${v}`)
    .join('_');
  const dir = `${OUT}corpus/${name}`;
  if (existsSync(`${dir}/done.json`)) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const { runGenerate } = await import(`${ROOT}services/cli/dist/commands/generate.js`);
  let summary = '';
  const code = await runGenerate(argvOf(params, dir), {
    stdout: (s) => {
      summary += s;
    },
    stderr: (s) => process.stderr.write(s),
  });
  if (code !== 0) throw new Error(`otptrace generate failed for ${dir}`);
  writeFileSync(`${dir}/done.json`, summary);
  return dir;
}

/** The generator's summary of a corpus (events per file, relevant/unrelated counts, bytes). */
export function corpusSummary(dir) {
  return JSON.parse(readFileSync(`${dir}/done.json`, 'utf8'));
}

/** The four XML files of a corpus as buffers. */
export function readCorpus(dir) {
  return FILES.map((f) => ({ file: f, bytes: readFileSync(`${dir}/${f}`) }));
}

/** Split an EVTX-XML document into its `<Event ...>...</Event>` texts (what a straightforward reader does). */
export function splitEvents(text) {
  const events = [];
  for (let at = text.indexOf('<Event '); at >= 0; ) {
    const end = text.indexOf('</Event>', at);
    if (end < 0) break;
    events.push(text.slice(at, end + 8));
    at = text.indexOf('<Event ', end + 8);
  }
  return events;
}

/**
 * The same events, one per line, in the generator's time order across the four files (SEC reads lines). Regenerated
 * from the corpus parameters: the generator is deterministic, so these are exactly the corpus's events.
 */
export async function ensureOneLineFile(params) {
  const dir = await ensureCorpus(params);
  // Outside the corpus folder: `otptrace analyze DIR` reads every file of DIR.
  mkdirSync(`${OUT}one-line`, { recursive: true });
  const path = `${OUT}one-line/${dir.split('/').pop()}.log`;
  if (existsSync(`${path}.done`)) return path;
  const { generateFleetLogs } = await import(`${ROOT}packages/tools/generator/dist/index.js`);
  const { parseSize } = await import(`${ROOT}services/cli/dist/commands/generate.js`);
  const options = { users: params.users, seed: params.seed };
  if (params.size !== undefined) options.sizeBytes = parseSize(params.size);
  if (params.days !== undefined) options.days = params.days;
  if (params.unrelatedRatio !== undefined) options.unrelatedRatio = params.unrelatedRatio;
  const out = createWriteStream(path);
  let lines = 0;
  let batch = [];
  for (const chunk of generateFleetLogs(options)) {
    if (chunk.file === 'expected.json' || !chunk.text.startsWith('<Event')) continue;
    batch.push(chunk.text.replace(/\s*\n\s*/g, ' ').trimEnd());
    lines++;
    if (batch.length >= 2000) {
      if (!out.write(`${batch.join('\n')}\n`)) await once(out, 'drain');
      batch = [];
    }
  }
  if (batch.length > 0) out.write(`${batch.join('\n')}\n`);
  await new Promise((resolve) => out.end(resolve));
  writeFileSync(`${path}.done`, String(lines));
  return path;
}
