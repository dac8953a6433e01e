// Benchmark ① for the text logs most sites keep (issue 13): IIS W3C lines and NPS log-file records (DTS and
// database-compatible) → normalised events, in lines per CPU-second (one thread), beside the same IIS and NPS
// traffic as Event XML (6200/6272/6273 with the generator's unrelated events) in events per CPU-second.
// Same generator fleet (seed, users, size) in the three formats. Usage: node bench/text-ingest.mjs [--quick]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { best, built, QUICK, report, row } from './lib/common.mjs';
import { ensureCorpus } from './lib/corpus.mjs';

const { DetectingIngestor, XmlIngestor } = await built('packages/core/pipeline');
const { createNormalizeContext } = await built('packages/core/normalize');
const { analysisConfigSchema } = await built('schemas');

const base = QUICK ? { users: 2000, seed: 1, size: '50MB' } : { users: 10000, seed: 1, size: '200MB' };
const runs = QUICK ? 1 : 3;

function filesUnder(dir, keep) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path, keep));
    else if (keep(path)) out.push({ path, bytes: readFileSync(path) });
  }
  return out;
}

function ingestAll(files, make) {
  const counts = { event: 0, ignored: 0, rejected: 0 };
  for (const { path, bytes } of files) {
    const ingestor = make(path);
    for (const item of [...ingestor.push(bytes), ...ingestor.end()]) counts[item.type]++;
  }
  return counts;
}

function measureFiles(label, files, make) {
  const bytes = files.reduce((s, f) => s + f.bytes.length, 0);
  const m = best(runs, () => ingestAll(files, make));
  const items = m.result.event + m.result.ignored + m.result.rejected;
  const rate = items / m.cpu;
  console.log(
    `${label}: ${items} records, ${(bytes / 1e6).toFixed(1)} MB; ${Math.round(rate)} records/CPU-s ` +
      `(${(bytes / 1e6 / m.cpu).toFixed(0)} MB/s; ${JSON.stringify(m.result)})`,
  );
  return { rate, counts: m.result, items };
}

const xmlDir = await ensureCorpus(base);
const dtsDir = await ensureCorpus({ ...base, iis: 'w3c', nps: 'dts' });
const odbcDir = await ensureCorpus({ ...base, iis: 'w3c', nps: 'odbc' });
const iasDir = await ensureCorpus({ ...base, iis: 'w3c', nps: 'ias' });
const options = { maxEventBytes: 4 * 1024 * 1024 };
const contextOf = (dir) => {
  const settings = JSON.parse(readFileSync(join(dir, 'analysis.json'), 'utf8'));
  return createNormalizeContext(analysisConfigSchema.parse(settings));
};
const xmlCtx = createNormalizeContext(analysisConfigSchema.parse({}));
const xmlIis = measureFiles(
  'IIS 6200 XML',
  filesUnder(xmlDir, (p) => p.endsWith('iis.xml')),
  () => new XmlIngestor(xmlCtx, options),
);
const xmlNps = measureFiles(
  'NPS Security XML',
  filesUnder(xmlDir, (p) => p.endsWith('nps.xml')),
  () => new XmlIngestor(xmlCtx, options),
);
const detect = (ctx) => (path) => new DetectingIngestor(ctx, options, { label: path });
const w3c = measureFiles(
  'IIS W3C',
  filesUnder(dtsDir, (p) => /W3SVC\d+[\\/]u_ex\d+\.log$/.test(p)),
  detect(contextOf(dtsDir)),
);
const dts = measureFiles(
  'NPS DTS',
  filesUnder(dtsDir, (p) => /[\\/]IN\d+\.log$/.test(p)),
  detect(contextOf(dtsDir)),
);
// The same files read with a time zone for each NPS server (Europe/Berlin): the offset is looked up per record.
const zoned = (dir) => {
  const settings = JSON.parse(readFileSync(join(dir, 'analysis.json'), 'utf8'));
  const zones = Object.fromEntries(Object.keys(settings.npsLogUtcOffsets).map((server) => [server, 'Europe/Berlin']));
  return createNormalizeContext(analysisConfigSchema.parse({ ...settings, npsLogUtcOffsets: zones }));
};
const dtsZoned = measureFiles(
  'NPS DTS, time zone configured',
  filesUnder(dtsDir, (p) => /[\\/]IN\d+\.log$/.test(p)),
  detect(zoned(dtsDir)),
);
const odbc = measureFiles(
  'NPS database-compatible',
  filesUnder(odbcDir, (p) => /[\\/]IN\d+\.log$/.test(p)),
  detect(contextOf(odbcDir)),
);
const ias = measureFiles(
  'NPS IAS format',
  filesUnder(iasDir, (p) => /[\\/]IN\d+\.log$/.test(p)),
  detect(contextOf(iasDir)),
);

report([
  row('text-ingest', 'IIS 6200 Event XML (iis.xml), otptrace', xmlIis.rate, 'events/CPU-s'),
  row('text-ingest', 'IIS W3C lines, same requests', w3c.rate, 'lines/CPU-s', null, `${w3c.items} lines`),
  row('text-ingest', 'NPS Security Event XML (nps.xml), otptrace', xmlNps.rate, 'events/CPU-s'),
  row('text-ingest', 'NPS DTS records, same decisions', dts.rate, 'lines/CPU-s', null, `${dts.items} records`),
  row(
    'text-ingest',
    'NPS DTS records with a time zone configured (Europe/Berlin)',
    dtsZoned.rate,
    'lines/CPU-s',
    null,
    `${dtsZoned.items} records`,
  ),
  row(
    'text-ingest',
    'NPS database-compatible records, same decisions',
    odbc.rate,
    'lines/CPU-s',
    null,
    `${odbc.items} records`,
  ),
  row('text-ingest', 'NPS IAS-format records, same decisions', ias.rate, 'lines/CPU-s', null, `${ias.items} records`),
  row(
    'text-ingest',
    'rejected records (every text format)',
    w3c.counts.rejected + dts.counts.rejected + dtsZoned.counts.rejected + odbc.counts.rejected + ias.counts.rejected,
    'records',
    { op: '<=', value: 0 },
  ),
]);
