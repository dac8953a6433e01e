import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources of every workspace package, not their build output: each package's
// exports (`@otptrace/pipeline`, `@otptrace/pipeline/readers`) map to the source of the file they name in dist/.
const root = fileURLToPath(new URL('.', import.meta.url));
const packages = ['schemas'];
for (const dir of ['packages/core', 'packages/adapters', 'packages/tools', 'services'])
  for (const name of readdirSync(`${root}${dir}`)) packages.push(`${dir}/${name}`);
const subpaths: Record<string, string> = {};
const mains: Record<string, string> = {};
for (const dir of packages) {
  if (!existsSync(`${root}${dir}/package.json`)) continue;
  const { name, exports = {} } = JSON.parse(readFileSync(`${root}${dir}/package.json`, 'utf8')) as {
    name: string;
    exports?: Record<string, { default: string }>;
  };
  for (const [path, target] of Object.entries(exports)) {
    const source = `${root}${dir}/${target.default.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')}`;
    if (!existsSync(source)) continue;
    if (path === '.') mains[name] = source;
    else subpaths[`${name}/${path.slice(2)}`] = source;
  }
}
// Subpaths first: an alias also takes the imports under its name.
const alias: Record<string, string> = { ...subpaths, ...mains };

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // Vitest's default leaves one CPU to its own process: a single worker on a 2-CPU machine (CI's), where the
          // unit project then ran one file at a time. Its own process is nearly idle here; two workers took the
          // project from 178 s to 127 s on 2 cores (2026-12-05).
          maxWorkers: Math.max(2, availableParallelism() - 1),
          // A hang guard, not a speed check (speed is measured in bench/): with both cores busy a test can take
          // several times its time alone (a 1.4 s stream test took 5.7 s beside other load, past the 5 s default).
          testTimeout: 30_000,
          include: [
            'packages/*/*/test/**/*.test.ts',
            'services/*/test/**/*.test.ts',
            'schemas/test/**/*.test.ts',
            'test/scenarios/**/*.test.ts',
            'test/unit/**/*.test.ts',
          ],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
