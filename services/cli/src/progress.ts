import type { IngestProgress } from '@otptrace/pipeline';

/** Where progress goes: standard error, and whether it is a terminal (a line redrawn in place) or not (lines). */
export interface ProgressOutput {
  write(text: string): void;
  readonly isTTY: boolean;
}

/** When progress is shown: `auto` on a terminal, for runs longer than a second; `always` (--progress); `never`. */
export type ProgressMode = 'auto' | 'always' | 'never';

/** Shown after this long, on a terminal: short runs stay quiet. */
const AUTO_AFTER_MS = 1000;
/** Redraw at most this often on a terminal; print a line at most this often elsewhere. */
const TTY_EVERY_MS = 100;
const LINE_EVERY_MS = 2000;

/** Reports reading progress (bytes, events/s, ETA) and a final one-line summary, on standard error. */
export class ProgressReporter {
  private readonly started: number;
  private lastDrawn = 0;
  private shown = false;
  private last: IngestProgress = { bytes: 0, totalBytes: 0, events: 0 };

  constructor(
    private readonly out: ProgressOutput,
    private readonly mode: ProgressMode,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
  }

  /** Take the latest progress; draws when due. */
  readonly update = (progress: IngestProgress): void => {
    this.last = progress;
    if (this.mode === 'never' || (this.mode === 'auto' && !this.out.isTTY)) return;
    const t = this.now();
    const elapsed = t - this.started;
    if (this.mode === 'auto' && elapsed < AUTO_AFTER_MS) return;
    if (this.shown && t - this.lastDrawn < (this.out.isTTY ? TTY_EVERY_MS : LINE_EVERY_MS)) return;
    this.lastDrawn = t;
    this.shown = true;
    const line = `otptrace: ${progressLine(progress, elapsed)}`;
    this.out.write(this.out.isTTY ? `\r${line}\u001b[K` : `${line}\n`);
  };

  /** The final summary line, when progress was asked for or shown: what was read, how fast, and what it gave. */
  finish(result: string): void {
    if (this.mode === 'never' || (!this.shown && this.mode !== 'always')) return;
    const seconds = (this.now() - this.started) / 1000;
    const { bytes, events } = this.last;
    const line = `otptrace: read ${formatBytes(bytes)} (${events} events) in ${seconds.toFixed(1)} s, ${rate(events, seconds)} events/s: ${result}`;
    this.out.write(this.out.isTTY && this.shown ? `\r${line}\u001b[K\n` : `${line}\n`);
  }
}

/** `412 MB of 1.1 GB (37%), 1.9M events/s, ETA 12 s`. */
export function progressLine(p: IngestProgress, elapsedMs: number): string {
  const seconds = elapsedMs / 1000;
  const share = p.totalBytes === 0 ? 1 : p.bytes / p.totalBytes;
  const eta = p.bytes === 0 ? null : (seconds * (p.totalBytes - p.bytes)) / p.bytes;
  return (
    `${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)} (${Math.floor(share * 100)}%), ` +
    `${rate(p.events, seconds)} events/s, ETA ${eta === null ? '?' : `${Math.ceil(eta)} s`}`
  );
}

function rate(events: number, seconds: number): string {
  const r = seconds > 0 ? events / seconds : 0;
  return r >= 1e6 ? `${(r / 1e6).toFixed(1)}M` : r >= 1e3 ? `${(r / 1e3).toFixed(0)}k` : r.toFixed(0);
}

/** Decimal units, as `ls -h --si` and download tools print them. */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(0)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} kB`;
  return `${n} B`;
}
