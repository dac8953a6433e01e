import type { StreamCarry } from '@otptrace/pipeline';
import type { SenderPolicy } from './records.js';
import type { SavedCarry, TextLogStore } from './text-log-store.js';

// A text log (IIS W3C, NPS log file) posted in several bodies: its lines are numbered per file, and those numbers are
// the events' record IDs, as `otptrace analyze` numbers the lines of the file. A body that stood alone would number
// its lines from 1 again, and the next body's lines would collide with the first's (dropped as conflicting
// duplicates). So the sender names the file and the number of the body's first line; the collector remembers, per
// sender and file, what later bodies need from earlier ones (the W3C #Fields in force, NPS requests awaiting their
// answer). With a store, that is also kept on disk, so that a restarted collector goes on where it stopped.

/** Header naming the file a body's lines come from, as the sender's path (`da01/W3SVC2/u_ex261102.log`). */
export const FILE_HEADER = 'x-otptrace-file';
/** Header with the 1-based number of the body's first line in that file (default: after the last body taken). */
export const FIRST_LINE_HEADER = 'x-otptrace-first-line';

const MAX_PATH = 1_024;
/** Files remembered at once (least recently posted forgotten first): bounded memory, whatever senders post. */
const MAX_FILES = 4_096;

/** What the headers say about a body: nothing (it stands alone), the file it continues, or why they are wrong. */
export type BodySource =
  | { kind: 'alone' }
  | {
      kind: 'file';
      label: string;
      carry: StreamCarry;
      /** Keeps the carry (as the body left it) where a restart finds it: call after Kafka took the body. */
      commit: () => Promise<void>;
      done: (now: number) => void;
    }
  | { kind: 'busy' }
  | { kind: 'bad'; error: string };

/** A file whose NPS requests still waiting for an answer are, by now, unanswered. */
export interface QuietFile {
  readonly sender: SenderPolicy;
  readonly label: string;
  readonly carry: StreamCarry;
  /** Keeps the carry where a restart finds it: call after Kafka took the batch. */
  commit(): Promise<void>;
  /** Call when its batch is over (published or refused). */
  done(now: number): void;
}

interface FileEntry {
  /** The file as the sender names it (X-Otptrace-File). */
  readonly file: string;
  readonly label: string;
  readonly carry: StreamCarry;
  sender: SenderPolicy;
  /** When its last body ended (or began, while one is read), ms. */
  postedAt: number;
  /** Bodies being read, plus one while its quiet batch is published. */
  busy: number;
  settling: boolean;
}

/**
 * Reads the headers of text-log bodies and keeps each (sender, file)'s carry between them, in memory and, with a
 * store, on disk.
 */
export function createTextLogFiles(maxFiles = MAX_FILES, store: TextLogStore | null = null) {
  const files = new Map<string, FileEntry>();
  const release = (entry: FileEntry) => (now: number) => {
    entry.busy--;
    entry.settling = false;
    entry.postedAt = now;
  };
  const commit = (entry: FileEntry) => () => store?.save(entry.sender.name, entry.file, entry.carry) ?? DONE;
  const remember = (key: string, entry: FileEntry) => {
    files.delete(key);
    files.set(key, entry);
    if (files.size <= maxFiles) return;
    const [oldest, forgotten] = files.entries().next().value!;
    files.delete(oldest);
    void store?.remove(forgotten.sender.name, forgotten.file);
  };
  return {
    /**
     * Take over carries saved by an earlier run, of the senders still configured (`senderOf` by name); each counts
     * as posted `now`, so that its requests awaiting an answer get the whole wait again.
     */
    restore(saved: readonly SavedCarry[], senderOf: (name: string) => SenderPolicy | undefined, now = 0): number {
      let restored = 0;
      for (const { sender: name, file, carry } of saved) {
        const sender = senderOf(name);
        if (sender === undefined) continue;
        const label = labelOf(sender, file);
        remember(`${name}\u0000${file}`, { file, label, carry, sender, postedAt: now, busy: 0, settling: false });
        restored++;
      }
      return restored;
    },

    of(sender: SenderPolicy, headers: Record<string, string | string[] | undefined>, now = 0): BodySource {
      const file = headers[FILE_HEADER];
      const first = headers[FIRST_LINE_HEADER];
      if (file === undefined) {
        return first === undefined
          ? { kind: 'alone' }
          : { kind: 'bad', error: `${FIRST_LINE_HEADER} needs ${FILE_HEADER}` };
      }
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
      if (typeof file !== 'string' || file.length === 0 || file.length > MAX_PATH || /[\u0000-\u001f\u007f]/.test(file))
        return { kind: 'bad', error: `${FILE_HEADER} must be one path of 1 to ${MAX_PATH} printable characters` };
      let lines: number | undefined;
      if (first !== undefined) {
        const n = typeof first === 'string' && /^[1-9]\d{0,14}$/.test(first) ? Number(first) : Number.NaN;
        if (!Number.isSafeInteger(n)) return { kind: 'bad', error: `${FIRST_LINE_HEADER} must be a line number ≥ 1` };
        lines = n - 1;
      }
      const key = `${sender.name}\u0000${file}`;
      const entry = files.get(key) ?? {
        file,
        label: labelOf(sender, file),
        carry: {},
        sender,
        postedAt: now,
        busy: 0,
        settling: false,
      };
      // Its waiting requests are being published as unanswered: the body is read after that, on the sender's retry.
      if (entry.settling) return { kind: 'busy' };
      remember(key, entry);
      if (lines !== undefined) entry.carry.lines = lines;
      entry.sender = sender;
      entry.busy++;
      entry.postedAt = now;
      return { kind: 'file', label: entry.label, carry: entry.carry, commit: commit(entry), done: release(entry) };
    },

    /**
     * Files with NPS requests still waiting for their answer, none of whose bodies is being read, that got no body
     * for `waitMs`: NPS writes an answer right after its request, so those requests went unanswered (offline decides
     * so at the end of the file). Each is marked busy until its `done`.
     */
    quiet(now: number, waitMs: number): QuietFile[] {
      const out: QuietFile[] = [];
      for (const entry of files.values()) {
        if (entry.busy > 0 || (entry.carry.npsPending?.length ?? 0) === 0 || now - entry.postedAt < waitMs) continue;
        entry.busy++;
        entry.settling = true;
        out.push({
          sender: entry.sender,
          label: entry.label,
          carry: entry.carry,
          commit: commit(entry),
          done: release(entry),
        });
      }
      return out;
    },
  };
}

const DONE = Promise.resolve();

// The path's folders name the DA server of a W3C log (…/da01/W3SVC2/…); the sender's name never does.
const labelOf = (sender: SenderPolicy, file: string): string => `http:${sender.name}/${file.replaceAll('\\', '/')}`;
