import { ROOT_CAUSES } from '@otptrace/model';
import { describe, expect, it } from 'vitest';
import { CERTIFICATE_NOT_USABLE, compileRules, RULES } from '../src/index.js';

describe('rule table', () => {
  it('is valid: known codes and facts, failures carry a code, the last rule catches all', () => {
    expect(() => compileRules(RULES)).not.toThrow();
  });
  it('refuses a rule naming a code that is not in the catalogue, or an unknown fact', () => {
    const bad = [
      { when: 'x', match: { radius: 'denied' }, outcome: 'failure', code: 'no_such_code' },
      { when: 'all', match: {}, outcome: 'incomplete', code: null },
    ];
    expect(() => compileRules(bad)).toThrow(/unknown root-cause code/);
    const badFact = [
      { when: 'x', match: { moon: 'full' }, outcome: 'success', code: null },
      { when: 'all', match: {}, outcome: 'incomplete', code: null },
    ];
    expect(() => compileRules(badFact)).toThrow(/unknown fact/);
  });
  it('every catalogue code is reachable from some rule, and every rule code is catalogued', () => {
    const ruleCodes = new Set(
      compileRules(RULES)
        .map((r) => r.code)
        .filter((c) => c !== null),
    );
    // The one catalogue code no rule gives is a finding beside a success verdict.
    const verdictCodes = Object.keys(ROOT_CAUSES).filter((c) => c !== CERTIFICATE_NOT_USABLE);
    expect([...ruleCodes].sort()).toEqual(verdictCodes.sort());
  });
});
