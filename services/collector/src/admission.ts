/** Limits of the HTTP input's admission: request bodies in flight, in bytes and in batches. */
export interface AdmissionLimits {
  /** Bytes of request bodies (decompressed) all requests in flight may hold together. */
  memoryBudgetBytes: number;
  /** Batches being read or written at once, all senders together. */
  maxInFlightBatches: number;
  /** A sender's share of the budget is never below this (one largest body), so every sender can post one. */
  minShareBytes: number;
}

/** A refusal: 429 when the sender is over its own share, 503 when the collector as a whole is full. */
export interface AdmissionRefusal {
  readonly admitted: false;
  readonly status: 429 | 503;
  readonly reason: string;
}

/** Room held for one request: released exactly once when the request is answered or dropped. */
export interface AdmissionTicket {
  readonly admitted: true;
  /** Makes the ticket cover `total` bytes; false (and nothing held beyond what was) when that does not fit. */
  cover(total: number): boolean;
  release(): void;
}

/** Bytes and batches in flight, for metrics and tests. */
export interface AdmissionState {
  bytes: number;
  batches: number;
  senders: number;
}

/** Decides whether a request may be read, before a byte of its body is. */
export interface Admission {
  admit(sender: string, bytes: number): AdmissionTicket | AdmissionRefusal;
  state(): AdmissionState;
}

interface Holding {
  bytes: number;
  batches: number;
}

/**
 * Admission with fair shares. With `k` senders holding room (the asking one included), each may hold at most
 * 1/(k+1) of the budget (at least one largest body) and of the batch slots (at least one): the other senders always
 * find room left, and one sender, however many connections it opens, never takes more than half. A refusal spends
 * nothing.
 */
export function createAdmission(limits: AdmissionLimits): Admission {
  const holdings = new Map<string, Holding>();
  let bytes = 0;
  let batches = 0;

  const shares = (sender: string) => {
    const senders = holdings.size + (holdings.has(sender) ? 0 : 1);
    return {
      bytes: Math.max(limits.minShareBytes, Math.floor(limits.memoryBudgetBytes / (senders + 1))),
      batches: Math.max(1, Math.floor(limits.maxInFlightBatches / (senders + 1))),
    };
  };
  // Room for `more` bytes (and `batch` more slots) for this sender, or why not.
  const check = (sender: string, more: number, batch: number): AdmissionRefusal | null => {
    const held = holdings.get(sender) ?? { bytes: 0, batches: 0 };
    const share = shares(sender);
    if (held.batches + batch > share.batches)
      return { admitted: false, status: 429, reason: `sender has ${held.batches} batches in flight, its share` };
    if (held.bytes + more > share.bytes)
      return { admitted: false, status: 429, reason: 'sender holds its share of the memory budget' };
    if (batches + batch > limits.maxInFlightBatches)
      return { admitted: false, status: 503, reason: 'every batch slot is taken' };
    if (bytes + more > limits.memoryBudgetBytes)
      return { admitted: false, status: 503, reason: 'the memory budget for request bodies is spent' };
    return null;
  };
  const hold = (sender: string, more: number, batch: number) => {
    const held = holdings.get(sender) ?? { bytes: 0, batches: 0 };
    held.bytes += more;
    held.batches += batch;
    bytes += more;
    batches += batch;
    if (held.batches === 0 && held.bytes === 0) holdings.delete(sender);
    else holdings.set(sender, held);
  };

  return {
    admit(sender, initial) {
      const refusal = check(sender, initial, 1);
      if (refusal) return refusal;
      hold(sender, initial, 1);
      let covered = initial;
      let released = false;
      return {
        admitted: true,
        cover(total) {
          if (released) return false;
          if (total <= covered) return true;
          if (check(sender, total - covered, 0)) return false;
          hold(sender, total - covered, 0);
          covered = total;
          return true;
        },
        release() {
          if (released) return;
          released = true;
          hold(sender, -covered, -1);
        },
      };
    },
    state: () => ({ bytes, batches, senders: holdings.size }),
  };
}
