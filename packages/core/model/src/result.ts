import type { DropReason } from './drop-reasons.js';

/** An input problem, as data: a stable code, where, and a message for people. */
export interface Issue {
  readonly code: DropReason;
  readonly message: string;
  /** Dotted path of the offending field, e.g. "EventData.ReasonCode", when it is a field. */
  readonly path?: string;
}

/** Result of a core function that meets bad input: never throws for it. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issue: Issue };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(code: DropReason, message: string, path?: string): Result<T> => ({
  ok: false,
  issue: path === undefined ? { code, message } : { code, message, path },
});
