import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources of every workspace package, not their build output.
const root = fileURLToPath(new URL('.', import.meta.url));
// Subpaths (`@otptrace/pipeline/readers`) first: an alias also takes the imports under its name.
const alias: Record<string, string> = {
  '@otptrace/pipeline/readers': `${root}packages/core/pipeline/src/readers.ts`,
  '@otptrace/runtime/args': `${root}packages/adapters/runtime/src/args.ts`,
  '@otptrace/runtime/version': `${root}packages/adapters/runtime/src/version.ts`,
};
alias['@otptrace/schemas'] = `${root}schemas/src/index.ts`;
for (const dir of ['packages/core', 'packages/adapters', 'packages/tools', 'services']) {
  for (const name of readdirSync(`${root}${dir}`)) {
    if (existsSync(`${root}${dir}/${name}/src/index.ts`))
      alias[`@otptrace/${name}`] = `${root}${dir}/${name}/src/index.ts`;
  }
}

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
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
