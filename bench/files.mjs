// Benchmark: the cost of many small files. Client logs arrive as one file per laptop; a generated corpus has its client
// log split into one file per computer. Measured with `otptrace analyze --jobs 1 --format json` under /usr/bin/time
// (one thread, so CPU seconds compare):
//   - many small files: a 14,000-user, 3-day corpus (about 13,500 client files of ~3.3 KB, 45 MB; --quick: 2,000
//     users) with the client files alone: wall time per 10,000 files, and the CPU per file beyond what the same
//     events cost as one file;
//   - a fleet day (10,000 users, seed 7, 900 MB; --quick: 2,000 users) as a folder of per-computer client files
//     beside the server logs, against the same events with the client log as one file (CPU ratio).
//   - the same fleet folder as one zip archive (Info-ZIP's `zip`, when installed), as an analyst receives it: wall
//     against the folder (the difference is inflating ~900 MB, the archive's bytes read, and its directory listed).
// Usage: node bench/files.mjs [--quick]
import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { OUT, QUICK, ROOT, report, row } from './lib/common.mjs';
import { ensureCorpus } from './lib/corpus.mjs';

/**
 * Beside the corpus (not inside it: analyze reads folders recursively): `fleet/` holds the server logs (hard links)
 * and `fleet/clients/` one file per client computer; `one-client/` the client log as one file. Returns the folders
 * and the number of client files.
 */
function splitClients(corpus) {
  const split = `${corpus}-split`;
  const fleet = `${split}/fleet`;
  const clients = `${fleet}/clients`;
  const oneClient = `${split}/one-client`;
  if (!existsSync(`${split}/done`)) {
    rmSync(split, { recursive: true, force: true });
    for (const dir of [clients, oneClient]) mkdirSync(dir, { recursive: true });
    const text = readFileSync(`${corpus}/client.xml`, 'utf8');
    const byComputer = new Map();
    for (const event of text.match(/<Event[\s>][\s\S]*?<\/Event>/g) ?? []) {
      const computer = /<Computer>([^<]*)<\/Computer>/.exec(event)?.[1] ?? 'unknown';
      const list = byComputer.get(computer) ?? [];
      list.push(event);
      byComputer.set(computer, list);
    }
    for (const [computer, events] of byComputer) {
      const body = `<?xml version="1.0" encoding="utf-8"?>\n<Events>\n${events.join('\n')}\n</Events>\n`;
      writeFileSync(`${clients}/${computer}.xml`, body);
    }
    // Hard links: analyze takes regular files from folders, and the corpus is not copied.
    linkSync(`${corpus}/client.xml`, `${oneClient}/client.xml`);
    for (const f of ['iis.xml', 'nps.xml', 'ca.xml']) linkSync(`${corpus}/${f}`, `${fleet}/${f}`);
    writeFileSync(`${split}/done`, String(byComputer.size));
  }
  return { fleet, clients, oneClient, files: Number(readFileSync(`${split}/done`, 'utf8')) };
}

/** `otptrace analyze --jobs 1` on `paths`: wall, CPU (user + system) and system seconds, peak RSS, eventsRead. */
function analyze(paths) {
  const out = `${OUT}files-analyze.json`;
  const run = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      'TIME %e %U %S %M',
      process.execPath,
      `${ROOT}services/cli/bin/otptrace.js`,
      'analyze',
      '--jobs',
      '1',
      '--format',
      'json',
      '--out',
      out,
      ...paths,
    ],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  if (run.status !== 0) throw new Error(`analyze failed: ${run.stderr.slice(0, 400)}`);
  const [wall, user, sys, rssKb] = (run.stderr.split('\n').find((l) => l.startsWith('TIME ')) ?? '')
    .split(' ')
    .slice(1)
    .map(Number);
  const events = JSON.parse(readFileSync(out, 'utf8')).summary.eventsRead;
  return { wall, cpu: user + sys, sys, rssMb: rssKb / 1024, events };
}

/** The lowest-CPU of `runs` runs (the machine is shared; the lowest is the least disturbed). */
function bestOf(runs, paths) {
  let top = null;
  for (let i = 0; i < runs; i++) {
    const m = analyze(paths);
    if (top === null || m.cpu < top.cpu) top = m;
  }
  return top;
}

const small = await ensureCorpus({ users: QUICK ? 2000 : 14000, seed: 7, days: 3, unrelatedRatio: 0 });
const many = splitClients(small);
const clientBytes = readFileSync(`${small}/client.xml`).length;
const runs = QUICK ? 1 : 3;
const manyClients = bestOf(runs, [many.clients]);
const oneClient = bestOf(runs, [many.oneClient]);
const perFileMs = ((manyClients.cpu - oneClient.cpu) / many.files) * 1000;
console.log(
  `client files: ${many.files} files, ${(clientBytes / 1e6).toFixed(1)} MB: ${JSON.stringify(manyClients)}; as one file: ${JSON.stringify(oneClient)}`,
);

const fleetCorpus = await ensureCorpus({ users: QUICK ? 2000 : 10000, seed: 7 });
const fleet = splitClients(fleetCorpus);
const fleetSplitRun = bestOf(QUICK ? 1 : 2, [fleet.fleet]);
const fleetOneRun = bestOf(QUICK ? 1 : 2, [fleetCorpus]);
console.log(`fleet as a folder: ${JSON.stringify(fleetSplitRun)}; one client file: ${JSON.stringify(fleetOneRun)}`);
const fleetZip = zipOnce(fleet.fleet);
const fleetZipRun = fleetZip === null ? null : bestOf(QUICK ? 1 : 2, [fleetZip]);
if (fleetZipRun !== null) console.log(`fleet as one zip archive: ${JSON.stringify(fleetZipRun)}`);

/** `dir` zipped (Info-ZIP, default Deflate) beside it, once; null when `zip` is not installed. */
function zipOnce(dir) {
  const archive = `${dir}.zip`;
  if (existsSync(archive)) return archive;
  const made = spawnSync('zip', ['-q', '-r', archive, '.'], { cwd: dir });
  if (made.error !== undefined || made.status !== 0) {
    rmSync(archive, { force: true });
    return null;
  }
  return archive;
}

report([
  row(
    'files',
    `${many.files} client files (${(clientBytes / 1e6).toFixed(1)} MB), analyze --jobs 1: wall per 10,000 files`,
    (manyClients.wall * 10_000) / many.files,
    's',
    { op: '<=', value: 2 },
    `${manyClients.wall} s for ${many.files} files; ${manyClients.sys} s system CPU (one file: ${oneClient.sys} s)`,
  ),
  row('files', 'same client events as one file: wall', oneClient.wall, 's'),
  row('files', 'cost per file (CPU beyond the same events in one file)', perFileMs, 'ms', { op: '<=', value: 0.2 }),
  row(
    'files',
    `fleet folder (${fleet.files} per-computer client files) ÷ same events with one client file, CPU`,
    fleetSplitRun.cpu / fleetOneRun.cpu,
    '×',
    { op: '<=', value: 1.3 },
    `${fleetSplitRun.cpu.toFixed(2)} vs ${fleetOneRun.cpu.toFixed(2)} CPU-s; ${fleetSplitRun.events} events each`,
  ),
  ...(fleetZipRun === null
    ? []
    : [
        row(
          'files',
          'fleet folder as one zip archive ÷ the folder, wall',
          fleetZipRun.wall / fleetSplitRun.wall,
          '×',
          { op: '<=', value: 1.3 },
          `${fleetZipRun.wall} vs ${fleetSplitRun.wall} s; peak RSS ${fleetZipRun.rssMb.toFixed(0)} vs ${fleetSplitRun.rssMb.toFixed(0)} MB; ${fleetZipRun.events} events`,
        ),
      ]),
]);
