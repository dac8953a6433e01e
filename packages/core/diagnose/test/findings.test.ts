import { describe, expect, it } from 'vitest';
import { CERTIFICATE_NOT_USABLE, withReuseFindings } from '../src/index.js';

type Outcome = 'success' | 'failure' | 'probe' | 'cancelled' | 'incomplete';
const at = (min: number) => new Date(Date.parse('2026-11-02T10:00:00Z') + min * 60_000).toISOString();
const attempt = (min: number, outcome: Outcome, client: string | null = 'pc1', user = 'corp\\sid') => ({
  user,
  start: at(min),
  end: at(min + 0.05),
  outcome,
  hosts: { client, gateway: 'da01', radius: 'nps01', ca: 'ca01' },
  findings: [] as string[],
});

describe('withReuseFindings (issued but unusable, docs/windows-events.md §9)', () => {
  const validity = 600_000;
  it('flags a success followed by the same user from the same computer within the validity', () => {
    const out = withReuseFindings([attempt(0, 'success'), attempt(3, 'failure')], validity);
    expect(out.map((a) => a.findings)).toEqual([[CERTIFICATE_NOT_USABLE], []]);
    expect(out.map((a) => a.outcome)).toEqual(['success', 'failure']);
  });
  it('does not flag beyond the validity, from another computer, of another user, or a failure', () => {
    expect(withReuseFindings([attempt(0, 'success'), attempt(11, 'success')], validity)[0]!.findings).toEqual([]);
    expect(withReuseFindings([attempt(0, 'success'), attempt(3, 'success', 'pc2')], validity)[0]!.findings).toEqual([]);
    expect(
      withReuseFindings([attempt(0, 'success'), attempt(3, 'success', 'pc1', 'corp\\ida')], validity)[0]!.findings,
    ).toEqual([]);
    expect(withReuseFindings([attempt(0, 'failure'), attempt(3, 'success')], validity)[0]!.findings).toEqual([]);
  });
  it("reads a computer's name in any case, and each user's attempts on it apart from another user's between them", () => {
    const out = withReuseFindings(
      [attempt(0, 'success', 'pc1'), attempt(1, 'success', 'PC1', 'corp\\ida'), attempt(3, 'failure', 'Pc1')],
      validity,
    );
    expect(out.map((a) => a.findings)).toEqual([[CERTIFICATE_NOT_USABLE], [], []]);
  });
  it('looks at the next attempt in time whatever the input order, and honours the configured validity', () => {
    const out = withReuseFindings([attempt(3, 'success'), attempt(0, 'success')], 120_000);
    expect(out.map((a) => a.findings)).toEqual([[], []]);
    const wide = withReuseFindings([attempt(3, 'success'), attempt(0, 'success')], validity);
    expect(wide.map((a) => a.findings)).toEqual([[], [CERTIFICATE_NOT_USABLE]]);
  });
});
