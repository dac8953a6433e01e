import type { ClosedAttempt } from '@otptrace/correlate';
import { ROOT_CAUSES, rootCauseEntry } from '@otptrace/model';
import type { Outcome, RootCause, Source, Stage } from '@otptrace/schemas';
import { FACT_NAMES, type FactOptions, type Facts, factsOf } from './facts.js';
import { RULES, type Rule, type RuleScalar } from './rule-table.js';

/** ④ The verdict on one attempt. */
export interface Verdict {
  readonly outcome: Outcome;
  readonly failedStage: Stage | null;
  readonly rootCause: RootCause | null;
  /** The rule that decided, for explanations. */
  readonly rule: string;
  readonly facts: Facts;
}

/**
 * Check a rule table: every code must be in the catalogue, every fact known, failures carry a code, the last rule
 * matches everything; throws on a programmer error. A table given as data is parsed first (`compileRules`).
 */
export function checkRules(rules: readonly Rule[]): readonly Rule[] {
  if (rules.length === 0) throw new Error('a rule table needs at least one rule');
  for (const r of rules) {
    for (const code of [r.code, ...(r.alsoPossible ?? [])])
      if (code !== null && rootCauseEntry(code) === undefined)
        throw new Error(`rule "${r.when}": unknown root-cause code ${code}`);
    if (r.alsoPossible !== undefined && r.code === null)
      throw new Error(`rule "${r.when}": only a failure has other possible causes`);
    if ((r.code === null) !== (r.outcome !== 'failure'))
      throw new Error(`rule "${r.when}": a failure needs a code, and only a failure`);
    for (const f of Object.keys(r.match))
      if (!FACT_NAMES.has(f)) throw new Error(`rule "${r.when}": unknown fact ${f}`);
  }
  const last = rules[rules.length - 1]!;
  if (Object.keys(last.match).length !== 0) throw new Error('the last rule must match everything');
  return rules;
}

const DEFAULT_RULES = checkRules(RULES);

/** ④ Decide outcome, failed stage and root cause of a closed attempt from the first matching rule. */
export function diagnose(
  a: ClosedAttempt,
  coverage: ReadonlySet<Source>,
  rules: readonly Rule[] = DEFAULT_RULES,
  options: FactOptions = {},
): Verdict {
  const facts = factsOf(a, coverage, options);
  const rule = firstMatch(matchersOf(rules), facts) ?? rules[rules.length - 1]!;
  const { failedStage, rootCause } = blameOf(rule);
  return { outcome: rule.outcome, failedStage, rootCause, rule: rule.when, facts };
}

interface Blame {
  readonly failedStage: Stage | null;
  readonly rootCause: RootCause | null;
}
/** The stage and root cause a rule gives, made once per rule (every attempt it decides shares them). */
const blames = new WeakMap<Rule, Blame>();
function blameOf(rule: Rule): Blame {
  let blame = blames.get(rule);
  if (blame === undefined) {
    const entry = rule.code === null ? undefined : ROOT_CAUSES[rule.code as keyof typeof ROOT_CAUSES];
    const cause = entry === undefined ? null : { code: entry.code, title: entry.title, remediation: entry.remediation };
    blame = {
      failedStage: entry?.stage ?? null,
      rootCause:
        cause === null || rule.alsoPossible === undefined ? cause : { ...cause, alsoPossible: [...rule.alsoPossible] },
    };
    blames.set(rule, blame);
  }
  return blame;
}

/** One condition of a rule, its fact name split once: `covered.<source>` reads `facts.covered[source]`. */
interface Condition {
  readonly fact: string;
  readonly covered: boolean;
  readonly test: 'is' | 'in' | 'not';
  readonly value: RuleScalar;
  readonly values: readonly RuleScalar[];
}

interface Matcher {
  readonly rule: Rule;
  readonly conditions: readonly Condition[];
}

/**
 * Each table's conditions as plain arrays, made once per table: matching walked `Object.entries` of every rule tried
 * on every attempt (up to 55 rules for a success), an array per rule and attempt.
 */
const MATCHERS = new WeakMap<readonly Rule[], readonly Matcher[]>();

function matchersOf(rules: readonly Rule[]): readonly Matcher[] {
  let matchers = MATCHERS.get(rules);
  if (matchers === undefined) {
    matchers = rules.map((rule) => ({
      rule,
      conditions: Object.entries(rule.match).map(([name, cond]): Condition => {
        const covered = name.startsWith('covered.');
        const fact = covered ? name.slice('covered.'.length) : name;
        if (cond !== null && typeof cond === 'object')
          return 'in' in cond
            ? { fact, covered, test: 'in', value: null, values: cond.in }
            : { fact, covered, test: 'not', value: cond.not, values: [] };
        return { fact, covered, test: 'is', value: cond, values: [] };
      }),
    }));
    MATCHERS.set(rules, matchers);
  }
  return matchers;
}

function firstMatch(matchers: readonly Matcher[], facts: Facts): Rule | undefined {
  for (const m of matchers) if (matches(m.conditions, facts)) return m.rule;
  return undefined;
}

function matches(conditions: readonly Condition[], facts: Facts): boolean {
  for (const c of conditions) {
    const value = c.covered ? facts.covered[c.fact as Source] : (facts[c.fact as keyof Facts] as RuleScalar);
    if (c.test === 'is' ? value !== c.value : c.test === 'in' ? !c.values.includes(value) : value === c.value)
      return false;
  }
  return true;
}
