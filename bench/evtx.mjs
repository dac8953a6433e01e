// Benchmark: MB/s of .evtx read per core by @otptrace/evtx, next to the XML path on the same events and the
// published figure of the Rust `evtx` crate. Single-threaded; rates are per CPU-second (process.cpuUsage), so they
// hold on a shared machine better than wall-clock rates.
//   npx tsc -b packages/core/evtx packages/core/parse && node bench/evtx.mjs [seconds per measurement, default 3]
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { iterateEvtxRecords, readEvtx, renderRecordXml } from '../packages/core/evtx/dist/index.js';
import { report, row } from './lib/common.mjs';

const RUST_EVTX_MB_PER_S = 420; // Rust `evtx` crate README: ≈420 MB/s per thread on a Ryzen 9 3900X (desktop CPU)
const seconds = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 3);
const samplesDir = fileURLToPath(new URL('../test/fixtures/evtx-samples/', import.meta.url));
const files = readdirSync(samplesDir)
  .filter((name) => name.endsWith('.evtx'))
  .map((name) => readFileSync(samplesDir + name));
const fileBytes = files.reduce((sum, bytes) => sum + bytes.length, 0);
// Pre-allocated, never-used chunks are skipped almost for free; count the chunks that hold records apart.
const usedBytes = files.reduce((sum, bytes) => sum + 4096 + readEvtx(bytes).chunks.length * 65536, 0);
const eventsPerPass = files.reduce((sum, bytes) => sum + readEvtx(bytes).events.length, 0);

/** Runs `pass` repeatedly for about `seconds` after a warm-up; returns passes per CPU-second. */
function rate(pass) {
  for (let i = 0; i < 3; i++) pass();
  let passes = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  while (performance.now() - start < seconds * 1000) {
    pass();
    passes++;
  }
  const cpu = process.cpuUsage(cpu0);
  return passes / ((cpu.user + cpu.system) / 1e6);
}

const MB = 1e6;
const evtxPasses = rate(() => {
  for (const bytes of files) readEvtx(bytes);
});
console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, 1 thread, rates per CPU-second`);
console.log(
  `samples: ${files.length} files, ${(fileBytes / MB).toFixed(2)} MB (${(usedBytes / MB).toFixed(2)} MB in chunks holding records), ${eventsPerPass} events`,
);
console.log(
  `@otptrace/evtx readEvtx: ${((evtxPasses * fileBytes) / MB).toFixed(1)} MB/s of .evtx files ` +
    `(${((evtxPasses * usedBytes) / MB).toFixed(1)} MB/s of used chunks), ${Math.round(evtxPasses * eventsPerPass)} events/s`,
);
console.log(`Rust evtx crate (published, desktop CPU): ~${RUST_EVTX_MB_PER_S} MB/s per thread`);
const rows = [
  row(
    'evtx',
    `readEvtx on the ${files.length} public samples, MB of .evtx per CPU-second`,
    (evtxPasses * fileBytes) / MB,
    'MB/s',
    {
      op: '>=',
      value: 200,
    },
  ),
  row('evtx', 'readEvtx, events per CPU-second', evtxPasses * eventsPerPass, 'events/s'),
];

// The XML path on the same events: each record rendered once to Event XML, then scanned by @otptrace/parse.
let scanEvent;
try {
  ({ scanEvent } = await import('../packages/core/parse/dist/index.js'));
} catch {
  scanEvent = undefined;
}
if (typeof scanEvent === 'function') {
  const xmls = files.flatMap((bytes) =>
    [...iterateEvtxRecords(bytes)].filter((r) => r.kind === 'record').map((r) => renderRecordXml(r)),
  );
  const xmlBytes = xmls.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  const xmlPasses = rate(() => {
    for (const text of xmls) scanEvent(text);
  });
  console.log(
    `XML path (@otptrace/parse scanEvent on the same events as compact UTF-8 XML, ${(xmlBytes / MB).toFixed(2)} MB): ` +
      `${((xmlPasses * xmlBytes) / MB).toFixed(1)} MB/s of XML, ${Math.round(xmlPasses * xmls.length)} events/s`,
  );
  rows.push(
    row(
      'evtx',
      'XML path on the same events (scanEvent), MB of XML per CPU-second',
      (xmlPasses * xmlBytes) / MB,
      'MB/s',
    ),
  );
} else {
  console.log('XML path: build packages/core/parse (npx tsc -b packages/core/parse) to measure it alongside');
}
report(rows);
