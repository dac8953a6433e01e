// Summarise a V8 .cpuprofile (node --cpu-prof): the functions with the most self time, and their share of the samples.
// Usage: node bench/lib/profile-top.mjs FILE.cpuprofile [N]
import { readFileSync } from 'node:fs';

const [file, n = '5'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfSamples = new Map();
for (const id of profile.samples) selfSamples.set(id, (selfSamples.get(id) ?? 0) + 1);
const byFrame = new Map();
for (const [id, count] of selfSamples) {
  const { functionName, url, lineNumber } = byId.get(id).callFrame;
  const where =
    url === '' ? '' : ` ${url.replace(/^.*\/(packages|bench|services|node_modules)\//, '$1/')}:${lineNumber + 1}`;
  const frame = `${functionName || '(anonymous)'}${where}`;
  byFrame.set(frame, (byFrame.get(frame) ?? 0) + count);
}
const total = profile.samples.length;
for (const [frame, count] of [...byFrame].sort((a, b) => b[1] - a[1]).slice(0, Number(n)))
  console.log(`${((100 * count) / total).toFixed(1).padStart(5)} %  ${frame}`);
