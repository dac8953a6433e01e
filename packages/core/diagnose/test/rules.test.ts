import { ROOT_CAUSES } from '@otptrace/model';
import { describe, expect, it } from 'vitest';
import { CERTIFICATE_NOT_USABLE, diagnose, RULES } from '../src/index.js';
import { compileRules } from '../src/rule-schema.js';

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

// An attempt with nothing in it but what each case sets: no RADIUS decision, no request, no client event.
const bare = {
  userKey: 'corp\\a',
  user: null,
  probe: false,
  first: 0,
  last: 0,
  events: [],
  radius: null,
  directory: [],
  radiusClientErrors: [],
  signing: [],
  directoryOutageNearby: false,
  directoryNearby: false,
  gateway: null,
  gatewayAmbiguous: false,
  refusalAround: null,
  caRequest: null,
  caResults: [],
  client: null,
  clientMachine: null,
  closedBy: 'end_of_input',
} as const;

describe('matching a table given as data', () => {
  const table = compileRules([
    { when: 'is', match: { probe: true }, outcome: 'probe', code: null },
    {
      when: 'in and covered',
      match: { radius: { in: ['granted', 'denied'] }, 'covered.ca': false },
      outcome: 'success',
      code: null,
    },
    { when: 'not', match: { radius: { not: 'none' } }, outcome: 'cancelled', code: null },
    { when: 'covered', match: { 'covered.client': true }, outcome: 'success', code: null },
    { when: 'all', match: {}, outcome: 'incomplete', code: null },
  ]);
  const granted = { ...bare, radius: { decision: 'granted', reasonCode: 0 } } as never;
  const discarded = { ...bare, radius: { decision: 'discarded', reasonCode: 3 } } as never;

  it('takes the first rule whose every condition holds: equal, one of, not, and covered per source', () => {
    const rule = (a: object, sources: string[]) => diagnose(a as never, new Set(sources) as never, table).rule;
    expect(rule({ ...bare, probe: true }, [])).toBe('is');
    expect(rule(granted, ['radius'])).toBe('in and covered');
    expect(rule(granted, ['radius', 'ca'])).toBe('not');
    expect(rule(discarded, ['radius'])).toBe('not');
    expect(rule(bare, ['client'])).toBe('covered');
    expect(rule(bare, ['radius', 'gateway'])).toBe('all');
    // Another table, and this one again: each is matched by its own conditions.
    expect(diagnose({ ...bare, probe: true } as never, new Set() as never).rule).not.toBe('is');
    expect(rule({ ...bare, probe: true }, [])).toBe('is');
  });
});

describe('what the logs read cannot rule out', () => {
  // A client's 10005 with no RADIUS decision and no IIS request of its own (no IIS log read, or none joined).
  const refused = (errorCode: string) =>
    ({ ...bare, closedBy: 'result', client: { ref: { eventId: 10005 }, errorCode } }) as never;
  const withRequest = (a: object, status: number, timeTakenMs: number) =>
    ({ ...a, gateway: { status, subStatus: null, timeTakenMs } }) as never;
  const cause = (a: never, sources: string[]) => diagnose(a, new Set(sources) as never).rootCause;

  it("a RADIUS timeout without the request's time-taken may be the DA server refusing first", () => {
    const { code, title, remediation } = ROOT_CAUSES.radius_no_response;
    expect(cause(refused('0x80040008'), ['client', 'radius'])).toEqual({
      code,
      title,
      remediation,
      alsoPossible: ['gateway_rejected_request'],
    });
    // Its IIS request lasted the timeout: the DA server waited, nothing else is possible.
    const waited = cause(withRequest(refused('0x80040008'), 200, 15_000), ['client', 'gateway', 'radius']);
    expect(waited?.code).toBe('radius_no_response');
    expect(waited).not.toHaveProperty('alsoPossible');
  });

  it("a refused certificate (0x80040001) without its IIS request's 403 sub-status may be any of them", () => {
    expect(cause(refused('0x80040001'), ['client', 'radius'])?.alsoPossible).toEqual([
      'client_certificate_expired',
      'gateway_untrusted_client_certificate',
      'client_certificate_revoked',
    ]);
    // With the request read, its sub-status decides.
    expect(cause(withRequest(refused('0x80040001'), 403, 20), ['client', 'gateway'])).not.toHaveProperty(
      'alsoPossible',
    );
  });

  it('refuses other possible causes that are not in the catalogue, or on a rule that is no failure', () => {
    const all = { when: 'all', match: {}, outcome: 'incomplete', code: null };
    expect(() =>
      compileRules([
        { when: 'x', match: {}, outcome: 'failure', code: 'radius_no_response', alsoPossible: ['nope'] },
        all,
      ]),
    ).toThrow(/unknown root-cause code nope/);
    expect(() =>
      compileRules([
        { when: 'x', match: {}, outcome: 'success', code: null, alsoPossible: ['radius_no_response'] },
        all,
      ]),
    ).toThrow(/only a failure/);
  });
});
