import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { carryFromJson, carryToJson, type StreamCarry, type StreamCarryJson } from '@otptrace/pipeline';
import type { Logger } from '@otptrace/runtime';

// What a text log posted over HTTP leaves for its next body (the W3C #Fields in force, the line count, NPS requests
// awaiting their answer), kept on disk so that a restarted collector reads the next body as the first one would
// have: IIS writes #Fields once at the top of a file, so without it every later body of the day would be unreadable.
// One small file per (sender, file), written (to a temporary file, then renamed) after Kafka took the body and
// before the sender is answered: a body answered 202 always has its carry on disk.

/** A text log's carry as it was saved. */
export interface SavedCarry {
  readonly sender: string;
  readonly file: string;
  readonly carry: StreamCarry;
}

/** Where carries are kept; `null` store: in memory only. */
export interface TextLogStore {
  /** Every saved carry (a file that cannot be read is skipped with a warning). */
  load(): Promise<SavedCarry[]>;
  save(sender: string, file: string, carry: StreamCarry): Promise<void>;
  remove(sender: string, file: string): Promise<void>;
}

interface CarryFile {
  readonly sender: string;
  readonly file: string;
  readonly carry: StreamCarryJson;
}

/** A store in folder `dir` (created when missing). Write failures are logged and the carry stays in memory. */
export function createTextLogStore(dir: string, logger: Logger): TextLogStore {
  const nameOf = (sender: string, file: string) =>
    `${createHash('sha256').update(`${sender}\u0000${file}`).digest('hex').slice(0, 40)}.json`;
  let writes = 0;
  let ready: Promise<unknown> | null = null;
  const folder = () => {
    ready ??= mkdir(dir, { recursive: true });
    return ready;
  };
  return {
    async load() {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      const out: SavedCarry[] = [];
      for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
        try {
          const saved = JSON.parse(await readFile(join(dir, name), 'utf8')) as CarryFile;
          if (typeof saved.sender !== 'string' || typeof saved.file !== 'string' || typeof saved.carry !== 'object')
            throw new Error('not a saved carry');
          out.push({ sender: saved.sender, file: saved.file, carry: carryFromJson(saved.carry) });
        } catch (error) {
          logger.warn({ err: error, file: join(dir, name) }, 'text-log carry not readable: skipped');
        }
      }
      return out;
    },
    async save(sender, file, carry) {
      const target = join(dir, nameOf(sender, file));
      const temporary = `${target}.${process.pid}.${writes++}.tmp`;
      try {
        await folder();
        await writeFile(temporary, JSON.stringify({ sender, file, carry: carryToJson(carry) } satisfies CarryFile));
        await rename(temporary, target);
      } catch (error) {
        logger.warn({ err: error, dir }, 'text-log carry not saved: a restart would lose it');
        await rm(temporary, { force: true }).catch(() => {});
      }
    },
    async remove(sender, file) {
      await rm(join(dir, nameOf(sender, file)), { force: true }).catch(() => {});
    },
  };
}
