#!/usr/bin/env node
import { execFileSync } from 'node:child_process';
// Fails when a tracked file refers to a folder outside the repository: a relative path that climbs above the root
// (`../../..` from a file near the top), an absolute path into the workplace, or the steering folder beside the clone.
// A stranger's clone has nothing beside it, so nothing here may need anything there.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
const files = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
const textLike = /\.(ts|mts|mjs|cjs|js|json|md|sh|ya?ml|html|xml|ps1|txt|toml|service|conf)$|(^|\/)(Dockerfile|run)$/;
const problems = [];
for (const file of files) {
  if (!textLike.test(file) || file === 'package-lock.json' || file === '.ci/self-contained.mjs') continue;
  const text = readFileSync(path.join(root, file), 'utf8');
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (/(^|[^\w.])\/work\/|(\.\.\/)+shared\b|\bshared\/(domain|samples|evtx-samples|seed|hooks)\b/.test(line))
      problems.push(`${file}:${i + 1}: names a folder outside the repository: ${line.trim().slice(0, 120)}`);
    for (const m of line.matchAll(/(?:^|[\s'"`(=])((?:\.\.\/)+)/g)) {
      const target = path.resolve(path.dirname(path.join(root, file)), m[1]);
      if (path.relative(root, target).startsWith('..'))
        problems.push(`${file}:${i + 1}: a relative path climbs out of the repository: ${line.trim().slice(0, 120)}`);
    }
  });
}
for (const p of problems) console.error(p);
if (problems.length > 0) {
  console.error(`self-contained check: ${problems.length} reference(s) outside the repository`);
  process.exit(1);
}
console.log(`self-contained check: ${files.length} tracked files, none refers outside the repository`);
