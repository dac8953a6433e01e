import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensurePrometheus, promtool, RULES_DIR } from '../prometheus/tools.js';

// deploy/prometheus's rules, checked and unit-tested by Debian's promtool, and written against metric names the
// services really expose.
const ROOT = new URL('../../', import.meta.url).pathname;

/** Every TypeScript source of the services and of the statistics core. */
function sources(): string {
  const dirs = [
    'services/collector/src',
    'services/correlator/src',
    'services/stats-api/src',
    'packages/core/stats/src',
  ];
  return dirs
    .flatMap((dir) =>
      readdirSync(join(ROOT, dir), { recursive: true })
        .map(String)
        .filter((f) => f.endsWith('.ts'))
        .map((f) => readFileSync(join(ROOT, dir, f), 'utf8')),
    )
    .join('\n');
}

describe('Prometheus rules', () => {
  it('pass promtool check rules and check config', () => {
    ensurePrometheus();
    expect(promtool(['check', 'rules', 'otptrace-rules.yml'])).toContain('SUCCESS: 13 rules found');
    expect(promtool(['check', 'config', 'prometheus.yml'])).toContain('is valid prometheus config file syntax');
  });

  it('fire on the series that should raise them, and not before (promtool test rules)', () => {
    ensurePrometheus();
    expect(promtool(['test', 'rules', 'otptrace-rules.test.yml'])).toContain('SUCCESS');
    expect(promtool(['test', 'rules', 'otptrace-baseline.test.yml'])).toContain('SUCCESS');
  }, 60_000);

  it('use only metric names the services expose, as does the Grafana dashboard', () => {
    const rules = [
      readFileSync(join(RULES_DIR, 'otptrace-rules.yml'), 'utf8'),
      readFileSync(join(ROOT, 'deploy/grafana/otptrace.json'), 'utf8'),
    ].join('\n');
    const used = new Set([...rules.matchAll(/\b(otptrace_[a-z_]+?)(?:_bucket|_sum|_count)?\b/g)].map((m) => m[1]!));
    expect(used.size).toBeGreaterThanOrEqual(12);
    const code = sources();
    expect([...used].filter((name) => !code.includes(`'${name}`) && !code.includes(`TYPE ${name} `))).toEqual([]);
  });
});
