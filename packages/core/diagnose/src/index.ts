/** @otptrace/diagnose: ④ attempt -> verdict {outcome, failedStage, rootCause}, from a declarative rule table. */

export type { Verdict } from './diagnose.js';
export { compileRules, diagnose } from './diagnose.js';
export type { Facts } from './facts.js';
export { factsOf } from './facts.js';
export type { Rule } from './rule-table.js';
export { RULES, ruleSchema } from './rule-table.js';
