import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Runs only the browser tests, without the integration project's Kafka/Zipkin set-up:
// `npx vitest run --config test/browser/vitest.config.ts`. CI runs the same files in the integration project.
const root = fileURLToPath(new URL('../../', import.meta.url));
const alias: Record<string, string> = { '@otptrace/schemas': `${root}schemas/src/index.ts` };
for (const dir of ['packages/core', 'packages/adapters', 'packages/tools', 'services']) {
  for (const name of readdirSync(`${root}${dir}`)) {
    if (existsSync(`${root}${dir}/${name}/src/index.ts`))
      alias[`@otptrace/${name}`] = `${root}${dir}/${name}/src/index.ts`;
  }
}

export default defineConfig({
  root,
  resolve: { alias },
  test: {
    include: ['test/integration/report*.test.ts', 'test/integration/dashboard*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
