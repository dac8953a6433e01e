import { z } from 'zod';
import { checkRules } from './diagnose.js';
import type { Rule, RuleCondition } from './rule-table.js';

// A rule table given as data (JSON, a test's table) is parsed here before `checkRules`. Kept apart from the built-in
// table, which the compiler checks, so that diagnosing never loads zod (a third of analyze's start-up).

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const condition: z.ZodType<RuleCondition> = z.union([
  scalar,
  z.object({ in: z.array(scalar).min(1) }).strict(),
  z.object({ not: scalar }).strict(),
]);

/** One rule as data (see `Rule`). */
export const ruleSchema: z.ZodType<Rule> = z
  .object({
    when: z.string(),
    match: z.record(z.string(), condition),
    outcome: z.enum(['success', 'failure', 'cancelled', 'probe', 'incomplete']),
    code: z.string().nullable(),
    alsoPossible: z.array(z.string()).min(1).optional(),
  })
  .strict();

export const ruleTableSchema = z.array(ruleSchema).min(1);

/** Parse and check a rule table given as data; throws on the first wrong rule. */
export function compileRules(table: unknown): readonly Rule[] {
  return checkRules(ruleTableSchema.parse(table));
}
