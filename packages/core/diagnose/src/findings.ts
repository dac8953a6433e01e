import { parseContractTime } from '@otptrace/model';
import type { AttemptRecord } from '@otptrace/schemas';

/** The finding on a success whose certificate did not log the user on (docs/windows-events.md §9). */
export const CERTIFICATE_NOT_USABLE = 'certificate_not_usable_for_logon';

/**
 * "Issued but unusable": an OTP certificate that was issued but cannot log the user on (CA not in NTAuth, no CRL
 * distribution point) leaves no error in the four logs; the trace is the same user trying OTP again from the same
 * computer within the certificate's validity. Such a success gets the finding `certificate_not_usable_for_logon`;
 * its verdict stays success. Returns the attempts with their findings, in the given order; `withFindings` makes the
 * copy of a flagged attempt (the pipeline's keeps its records' hidden class, which a spread does not).
 */
export function withReuseFindings<
  T extends Pick<AttemptRecord, 'user' | 'start' | 'end' | 'outcome' | 'hosts' | 'findings'>,
>(
  attempts: readonly T[],
  validityMs: number,
  withFindings: (attempt: T, findings: string[]) => T = (attempt, findings) => ({ ...attempt, findings }),
): T[] {
  const startMs = attempts.map((a) => parseContractTime(a.start));
  // The caller's order when it is already by start (analyze sorts first): no sort of every index.
  let sorted = true;
  for (let i = 1; i < startMs.length && sorted; i++) sorted = startMs[i - 1]! <= startMs[i]!;
  const byStart = sorted ? attempts.keys() : [...attempts.keys()].sort((i, j) => startMs[i]! - startMs[j]!);
  const flagged = new Set<number>();
  // The last attempt of each user on each computer, by computer then user: a key made of both was a new string per
  // attempt to build and hash (half of this function's time on a fleet's report).
  const lastOnComputer = new Map<string, Map<string, number>>();
  for (const i of byStart) {
    const a = attempts[i]!;
    if (a.outcome === 'probe' || a.hosts.client === null) continue;
    const computer = a.hosts.client.toLowerCase();
    let last = lastOnComputer.get(computer);
    if (last === undefined) {
      last = new Map();
      lastOnComputer.set(computer, last);
    }
    const previous = last.get(a.user);
    if (previous !== undefined) {
      const p = attempts[previous]!;
      if (p.outcome === 'success' && startMs[i]! - parseContractTime(p.end) <= validityMs) flagged.add(previous);
    }
    last.set(a.user, i);
  }
  if (flagged.size === 0) return attempts.slice();
  return attempts.map((a, i) =>
    flagged.has(i) && !a.findings.includes(CERTIFICATE_NOT_USABLE)
      ? withFindings(a, [...a.findings, CERTIFICATE_NOT_USABLE])
      : a,
  );
}
