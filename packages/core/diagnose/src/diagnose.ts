import type { ClosedAttempt } from '@otptrace/correlate';
import { ROOT_CAUSES, rootCauseEntry } from '@otptrace/model';
import type { Outcome, RootCause, Source, Stage } from '@otptrace/schemas';
import { FACT_NAMES, type FactName, type FactOptions, type Facts, factsOf, factValue } from './facts.js';
import { RULES, type Rule, ruleTableSchema } from './rule-table.js';

/** ④ The verdict on one attempt. */
export interface Verdict {
  readonly outcome: Outcome;
  readonly failedStage: Stage | null;
  readonly rootCause: RootCause | null;
  /** The rule that decided, for explanations. */
  readonly rule: string;
  readonly facts: Facts;
}

/** Validate a rule table: every code must be in the catalogue, every fact known; throws on a programmer error. */
export function compileRules(table: unknown): readonly Rule[] {
  const rules = ruleTableSchema.parse(table);
  for (const r of rules) {
    if (r.code !== null && rootCauseEntry(r.code) === undefined)
      throw new Error(`rule "${r.when}": unknown root-cause code ${r.code}`);
    if ((r.code === null) !== (r.outcome !== 'failure'))
      throw new Error(`rule "${r.when}": a failure needs a code, and only a failure`);
    for (const f of Object.keys(r.match))
      if (!FACT_NAMES.has(f)) throw new Error(`rule "${r.when}": unknown fact ${f}`);
  }
  const last = rules[rules.length - 1]!;
  if (Object.keys(last.match).length !== 0) throw new Error('the last rule must match everything');
  return rules;
}

const DEFAULT_RULES = compileRules(RULES);

/** ④ Decide outcome, failed stage and root cause of a closed attempt from the first matching rule. */
export function diagnose(
  a: ClosedAttempt,
  coverage: ReadonlySet<Source>,
  rules: readonly Rule[] = DEFAULT_RULES,
  options: FactOptions = {},
): Verdict {
  const facts = factsOf(a, coverage, options);
  const rule = rules.find((r) => matches(r, facts)) ?? rules[rules.length - 1]!;
  const entry = rule.code === null ? undefined : ROOT_CAUSES[rule.code as keyof typeof ROOT_CAUSES];
  return {
    outcome: rule.outcome,
    failedStage: entry?.stage ?? null,
    rootCause: entry === undefined ? null : { code: entry.code, title: entry.title, remediation: entry.remediation },
    rule: rule.when,
    facts,
  };
}

function matches(rule: Rule, facts: Facts): boolean {
  for (const [name, cond] of Object.entries(rule.match)) {
    const value = factValue(facts, name as FactName);
    if (cond !== null && typeof cond === 'object') {
      if ('in' in cond ? !cond.in.includes(value) : value === cond.not) return false;
    } else if (value !== cond) return false;
  }
  return true;
}
