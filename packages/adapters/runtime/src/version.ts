import { readFileSync } from 'node:fs';

/**
 * otptrace's version: the root package.json's, the one place it is written (every workspace's package.json carries
 * the same, which test/unit/dependencies.test.ts checks). The command, the services and the trace resource print it.
 */
export const OTPTRACE_VERSION: string = readVersion();

function readVersion(): string {
  // From packages/adapters/runtime/{src,dist}/version.*: the repository root is three folders up.
  const root = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as {
    name?: string;
    version?: string;
  };
  if (root.name !== 'otptrace' || typeof root.version !== 'string')
    throw new Error('otptrace: cannot find the version in the repository root package.json');
  return root.version;
}
