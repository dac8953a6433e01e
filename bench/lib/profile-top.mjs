// Summarise a V8 .cpuprofile (node --cpu-prof): the functions with the most self time, and their share of the samples;
// with --inclusive, the time spent in each function and everything it called (a recursive function counted once).
// Usage: node bench/lib/profile-top.mjs FILE.cpuprofile [N] [--inclusive]
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const inclusive = args.includes('--inclusive');
const [file, n = '5'] = args.filter((a) => a !== '--inclusive');
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

function frameOf(id) {
  const { functionName, url, lineNumber } = byId.get(id).callFrame;
  const where =
    url === '' ? '' : ` ${url.replace(/^.*\/(packages|bench|services|node_modules)\//, '$1/')}:${lineNumber + 1}`;
  return `${functionName || '(anonymous)'}${where}`;
}

const samplesAt = new Map();
for (const id of profile.samples) samplesAt.set(id, (samplesAt.get(id) ?? 0) + 1);
const byFrame = new Map();
for (const [id, count] of samplesAt) {
  if (!inclusive) {
    const frame = frameOf(id);
    byFrame.set(frame, (byFrame.get(frame) ?? 0) + count);
    continue;
  }
  const seen = new Set();
  for (let at = id; at !== undefined; at = parentOf.get(at)) {
    const frame = frameOf(at);
    if (seen.has(frame)) continue;
    seen.add(frame);
    byFrame.set(frame, (byFrame.get(frame) ?? 0) + count);
  }
}
const total = profile.samples.length;
for (const [frame, count] of [...byFrame].sort((a, b) => b[1] - a[1]).slice(0, Number(n)))
  console.log(`${((100 * count) / total).toFixed(1).padStart(5)} %  ${frame}`);
