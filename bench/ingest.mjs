// Benchmark ①: raw EVTX-XML bytes → validated normalised events, in events per CPU-second (one thread, so per
// core), on the generated mixed stream (90% unrelated) and on the relevant events alone; beside the baseline of a
// plain fast-xml-parser parse of every event. Usage: node bench/ingest.mjs [--quick]
import { XMLParser } from 'fast-xml-parser';
import { best, built, QUICK, report, row } from './lib/common.mjs';
import { CORPORA, corpusSummary, ensureCorpus, readCorpus, splitEvents } from './lib/corpus.mjs';

const { XmlIngestor } = await built('packages/core/pipeline');
const { createNormalizeContext } = await built('packages/core/normalize');
const { DEFAULT_ANALYSIS_CONFIG } = await built('schemas');

const sizes = QUICK ? CORPORA.quick : CORPORA.full;
const runs = QUICK ? 1 : 3;
const ctx = createNormalizeContext(DEFAULT_ANALYSIS_CONFIG);

/** otptrace: every file through the splitter, header peek, scanner and normaliser. */
function otptraceIngest(files) {
  const counts = { event: 0, ignored: 0, rejected: 0 };
  for (const { bytes } of files) {
    const ingestor = new XmlIngestor(ctx, { maxEventBytes: DEFAULT_ANALYSIS_CONFIG.maxEventBytes });
    for (const item of [...ingestor.push(bytes), ...ingestor.end()]) counts[item.type]++;
  }
  return counts;
}

/** Baseline: decode, split at </Event>, parse every event with fast-xml-parser. */
function fxpParse(files) {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' });
  let n = 0;
  for (const { bytes } of files) {
    for (const text of splitEvents(bytes.toString('utf8'))) {
      parser.parse(text);
      n++;
    }
  }
  return n;
}

function measureBoth(label, files) {
  const bytes = files.reduce((s, f) => s + f.bytes.length, 0);
  const ours = best(runs, () => otptraceIngest(files));
  const events = ours.result.event + ours.result.ignored + ours.result.rejected;
  const base = best(1, () => fxpParse(files));
  const oursRate = events / ours.cpu;
  const baseRate = base.result / base.cpu;
  console.log(
    `${label}: ${events} events, ${(bytes / 1e6).toFixed(1)} MB; otptrace ${Math.round(oursRate)} ev/CPU-s ` +
      `(${(bytes / 1e6 / ours.cpu).toFixed(0)} MB/s; ${JSON.stringify(ours.result)}); fast-xml-parser ${Math.round(baseRate)} ev/CPU-s`,
  );
  return { events, oursRate, baseRate, mbps: bytes / 1e6 / ours.cpu, counts: ours.result };
}

const mixedDir = await ensureCorpus(sizes.mixed);
const relevantDir = await ensureCorpus(sizes.relevant);
const mixed = measureBoth('mixed stream', readCorpus(mixedDir));
const relevant = measureBoth('relevant events alone', readCorpus(relevantDir));
const generated = corpusSummary(mixedDir);
const expectedRelevant = generated.relevantEvents;

report([
  row('ingest', 'mixed stream (90% unrelated), otptrace', mixed.oursRate, 'events/CPU-s', { op: '>=', value: 250_000 }),
  row('ingest', 'mixed stream, MB per CPU-second', mixed.mbps, 'MB/CPU-s'),
  row('ingest', 'mixed stream, fast-xml-parser baseline', mixed.baseRate, 'events/CPU-s'),
  row('ingest', 'mixed: otptrace ÷ fast-xml-parser', mixed.oursRate / mixed.baseRate, '×', { op: '>=', value: 10 }),
  row('ingest', 'relevant events alone, otptrace', relevant.oursRate, 'events/CPU-s'),
  row('ingest', 'relevant events alone, fast-xml-parser baseline', relevant.baseRate, 'events/CPU-s'),
  row('ingest', 'relevant: otptrace ÷ fast-xml-parser', relevant.oursRate / relevant.baseRate, '×'),
  row(
    'ingest',
    'mixed: events kept as OTP events vs generated relevant',
    mixed.counts.event,
    'events',
    null,
    `generator wrote ${expectedRelevant} relevant; rejected ${mixed.counts.rejected}`,
  ),
]);
