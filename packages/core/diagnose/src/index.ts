/** @otptrace/diagnose: ④ attempt -> verdict {outcome, failedStage, rootCause}, from a declarative rule table. */

export type { Verdict } from './diagnose.js';
export { checkRules, diagnose } from './diagnose.js';
export type { FactName, FactOptions, Facts, RadiusWait } from './facts.js';
export { FACT_NAMES, factsOf } from './facts.js';
export { CERTIFICATE_NOT_USABLE, withReuseFindings } from './findings.js';
export type { Rule, RuleCondition, RuleScalar, RuleSpec } from './rule-table.js';
export { RULES } from './rule-table.js';
