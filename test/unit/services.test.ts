import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listOptions } from '@otptrace/runtime';
import { describe, expect, it } from 'vitest';
import { collectorConfigSchema } from '../../services/collector/src/config.js';
import { correlatorConfigSchema } from '../../services/correlator/src/config.js';
import { statsApiConfigSchema } from '../../services/stats-api/src/config.js';

// What operators expect of the three services: every option documented, distinct default ports, one way to start
// each (npm run start:NAME, the bin entry, the Dockerfile and manifests, the systemd units all use the same launcher).
const ROOT = new URL('../../', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const SERVICES = {
  collector: collectorConfigSchema,
  correlator: correlatorConfigSchema,
  'stats-api': statsApiConfigSchema,
} as const;
const NAMES = Object.keys(SERVICES) as (keyof typeof SERVICES)[];
const launcher = (name: string) => `services/${name}/bin/otptrace-${name}.js`;

describe('services', () => {
  it('document every option in their schema (.describe(), which --help prints)', () => {
    for (const [name, schema] of Object.entries(SERVICES)) {
      const undocumented = listOptions(schema)
        .filter((o) => o.description.trim() === '')
        .map((o) => o.path.join('.'));
      expect(undocumented, name).toEqual([]);
    }
  });

  it('listen on distinct default ports, so all three can run on one host', () => {
    const collector = collectorConfigSchema.parse({ http: { tokens: ['0123456789abcdef'] } });
    const ports = [
      collector.http.port,
      collector.admin.port,
      correlatorConfigSchema.parse({}).admin.port,
      statsApiConfigSchema.parse({}).port,
    ];
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('start the same way everywhere: npm scripts, bin entries, Dockerfile, manifests and systemd units', () => {
    const root = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    const units = readdirSync(join(ROOT, 'deploy/systemd')).filter((f) => f.endsWith('.service'));
    for (const name of NAMES) {
      const pkg = JSON.parse(read(`services/${name}/package.json`)) as { bin: Record<string, string> };
      expect(pkg.bin).toEqual({ [`otptrace-${name}`]: `./bin/otptrace-${name}.js` });
      expect(root.scripts[`start:${name}`]).toBe(`node ${launcher(name)}`);
      expect(read(`deploy/k8s/${name}.yaml`)).toContain(`args: ["node", "${launcher(name)}", "--config"`);
      const unit = units.find((u) => u.startsWith(`otptrace-${name}`));
      expect(unit, name).toBeDefined();
      expect(read(`deploy/systemd/${unit}`)).toContain(`ExecStart=/usr/bin/node ${launcher(name)} --config`);
    }
    expect(read('deploy/k8s/Dockerfile')).toMatch(
      /tsc -b services\/collector services\/correlator services\/stats-api/,
    );
    expect(read('deploy/k8s/Dockerfile')).toContain(`CMD ["node", "${launcher('correlator')}"`);
  });

  it('accept the stats-api configuration examples of deploy/', () => {
    statsApiConfigSchema.parse(JSON.parse(read('deploy/systemd/stats-api.json')));
    const configMap = read('deploy/k8s/configmap.yaml');
    const block = configMap.slice(configMap.indexOf('stats-api.json: |') + 'stats-api.json: |'.length);
    expect(statsApiConfigSchema.parse(JSON.parse(block)).host).toBe('0.0.0.0');
  });

  it('their built launchers answer --version and refuse an unknown option without a stack trace', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, args, (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
        ),
      );
    const version = (JSON.parse(read('package.json')) as { version: string }).version;
    const runs = await Promise.all(
      NAMES.flatMap((name) => [run([join(ROOT, launcher(name)), '-V']), run([join(ROOT, launcher(name)), '--bogus'])]),
    );
    for (const [i, name] of NAMES.entries()) {
      expect(runs[2 * i]).toEqual({ code: 0, stdout: `otptrace-${name} ${version}\n`, stderr: '' });
      expect(runs[2 * i + 1]).toEqual({
        code: 2,
        stdout: '',
        stderr: `otptrace-${name}: unknown option --bogus (see --help)\n`,
      });
    }
  }, 120_000);
});
