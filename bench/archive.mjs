// Benchmark: our Inflate decoder (packages/core/archive/src/inflate.ts), which reads the Deflate64 entries of zip
// archives Windows Explorer writes over 2 GB (zlib has no Deflate64). Per CPU-second, on one thread:
//   - Deflate64: the committed 7-Zip archive of a public .evtx sample (test/fixtures/zip/post-Security-7zip-deflate64.zip,
//     1.1 MB out of 12 KB), decoded over and over;
//   - plain Deflate: the public .evtx samples (test/fixtures/evtx-samples, 9.6 MB; binary logs compress far less than
//     the generated fleet's repetitive XML) compressed by zlib, decoded by our decoder and by zlib itself
//     (inflateRawSync), for the ratio.
// Target (ours): ≥ 200 MB/s out, the .evtx reader's own target, so that decoding is never what a read waits for.
// Usage: node bench/archive.mjs [--quick]
import { readdirSync, readFileSync } from 'node:fs';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { inflate } from '../packages/core/archive/dist/index.js';
import { best, QUICK, ROOT, report, row } from './lib/common.mjs';

/** The first entry's stored bytes of a zip archive (its local header read by hand). */
function firstEntry(zip) {
  const start = 30 + zip.readUInt16LE(26) + zip.readUInt16LE(28);
  return zip.subarray(start, start + zip.readUInt32LE(18));
}

/** Decoded bytes of `compressed`, given to the decoder 1 MiB at a time. */
function decode(compressed, deflate64) {
  let at = 0;
  const readMore = () => {
    if (at >= compressed.length) return null;
    at += 1 << 20;
    return compressed.subarray(at - (1 << 20), at);
  };
  let bytes = 0;
  for (const piece of inflate(readMore, { deflate64 })) bytes += piece.length;
  return bytes;
}

const evtx = firstEntry(readFileSync(`${ROOT}test/fixtures/zip/post-Security-7zip-deflate64.zip`));
const repeats = QUICK ? 20 : 100;
const deflate64 = best(3, () => {
  let bytes = 0;
  for (let i = 0; i < repeats; i++) bytes += decode(evtx, true);
  return bytes;
});

const samples = `${ROOT}test/fixtures/evtx-samples/`;
const xml = Buffer.concat(
  readdirSync(samples)
    .filter((f) => f.endsWith('.evtx'))
    .map((f) => readFileSync(`${samples}${f}`)),
);
const compressed = deflateRawSync(xml);
const rounds = QUICK ? 2 : 10;
const ours = best(3, () => {
  let bytes = 0;
  for (let i = 0; i < rounds; i++) bytes += decode(compressed, false);
  return bytes / rounds;
});
const zlib = best(3, () => {
  let bytes = 0;
  for (let i = 0; i < rounds; i++) bytes += inflateRawSync(compressed).length;
  return bytes / rounds;
});
if (ours.result !== xml.length || zlib.result !== xml.length) throw new Error('decoded sizes differ');

const mbs = (m, times = 1) => (m.result * times) / 1e6 / m.cpu;
console.log(
  `Deflate64 ${(deflate64.result / 1e6).toFixed(1)} MB in ${deflate64.cpu.toFixed(2)} CPU-s; Deflate ${(xml.length / 1e6).toFixed(1)} MB (from ${(compressed.length / 1e6).toFixed(1)} MB): ${rounds} times: ours ${ours.cpu.toFixed(3)} s, zlib ${zlib.cpu.toFixed(3)} s`,
);
report([
  row('archive', 'Deflate64 decode (7-Zip archive of post-Security.evtx)', mbs(deflate64), 'MB/CPU-s', {
    op: '>=',
    value: 200,
  }),
  row('archive', 'Deflate decode, our decoder (the .evtx samples)', mbs(ours, rounds), 'MB/CPU-s', {
    op: '>=',
    value: 200,
  }),
  row('archive', 'Deflate decode, zlib (same data)', mbs(zlib, rounds), 'MB/CPU-s'),
]);
