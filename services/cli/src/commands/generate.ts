import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  DEFAULT_FLEET_OPTIONS,
  type FleetChunk,
  type FleetLogOptions,
  type FleetSummary,
  fleetOptionProblems,
  generateFleetLogs,
  INCIDENT_NAMES,
  RADIUS_CLIENT_NAMES,
} from '@otptrace/generator';
import { type CommandSpec, type Invocation, runCommand } from '@otptrace/runtime/args';
import type { Io } from '../io.js';

/** `names`, comma-separated, on lines indented by `indent` and at most `width` characters long. */
function indentedList(names: readonly string[], indent: number, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const [i, name] of names.entries()) {
    const item = i < names.length - 1 ? `${name},` : name;
    if (line !== '' && indent + line.length + 1 + item.length > width) {
      lines.push(line);
      line = item;
    } else line = line === '' ? item : `${line} ${item}`;
  }
  lines.push(line);
  return lines.map((l) => `${' '.repeat(indent)}${l}`).join('\n');
}

/** What `otptrace generate --help` prints. */
export const GENERATE_HELP = `otptrace generate --users N --seed N --out DIR [options]

Writes a deterministic DirectAccess OTP fleet: client.xml, iis.xml, nps.xml (Security + System) and ca.xml
(Security + Application) in EVTX-XML, and expected.json with the verdict otptrace should reach for every attempt,
the client address (c-ip) of its IIS request, which tells which logged request is its own, and its client events
at the laptop's clock, which tell which analysed attempt is it. The same options always give the same bytes.
Prints a JSON summary on standard output: the attempts by outcome, the events by file, and every incident drawn
(its fault, the host at fault, and its span).

Options:
  --users N               users (each with a laptop); default 1000
  --seed N                seed of every random choice; default 1
  -o, --out DIR           output folder (created)
  --unrelated-ratio R     share of events unrelated to OTP, 0 ≤ R < 1; default 0.9
  --size SIZE             keep adding days until about SIZE of XML is written (e.g. 500MB, 1GB; 1 GB = 2^30 bytes)
  --days N                days to write when --size is not given; default 1
  --start ISO             first day; default 2026-03-02T00:00:00Z
  --clock-skew-ms MS      each host's clock is off by up to MS either way; default 0
  --laptop-clock-skew-ms MS  the laptops' clocks by up to MS instead (servers keep --clock-skew-ms)
  --da-servers N          DA servers (also --nps-servers N, --cas N); default 2 each
  --iis xml|w3c           IIS as 6200 events (iis.xml) or W3C text logs (<host>/W3SVC1/u_exYYMMDD.log); default xml
  --nps xml|dts|odbc|ias  NPS decisions as 6272/6273 (nps.xml) or NPS log files (<host>/INyymm.log, DTS,
                          database-compatible or IAS, in local time; the offset goes to analysis.json for --config)
  --nps-utc-offset MIN    NPS servers' local time, minutes east of UTC, for NPS log files; default 60
  --nps-time-zone ZONE    or the NPS servers' time zone (e.g. Europe/Berlin): their log files follow its
                          daylight-saving changes, and analysis.json names the zone
  --radius-client-names K how NPS names the DA servers as RADIUS clients (ClientName): server (DA1, DA2…),
                          friendly (DirectAccess gateway 1…: no host's name) or shared (DirectAccess, for all);
                          default server
  --incident NAME         add one such incident to every day, besides the usual ones (repeat, or a comma list):
${indentedList(INCIDENT_NAMES, 26, 116)};
                          e.g. radius_client_misconfigured: NPS refuses a DA server (a shared secret changed on
                          one side), every logon through it fails for 10-40 minutes
  -h, --help              this text
  -V, --version           otptrace's version

Exit code: 0 when written, 2 when an option is wrong, 3 when the files could not be written.`;

const GENERATE_OPTIONS = {
  users: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string', short: 'o' },
  'unrelated-ratio': { type: 'string' },
  size: { type: 'string' },
  days: { type: 'string' },
  start: { type: 'string' },
  'clock-skew-ms': { type: 'string' },
  'laptop-clock-skew-ms': { type: 'string' },
  'da-servers': { type: 'string' },
  'nps-servers': { type: 'string' },
  cas: { type: 'string' },
  iis: { type: 'string' },
  nps: { type: 'string' },
  'nps-utc-offset': { type: 'string' },
  'nps-time-zone': { type: 'string' },
  'radius-client-names': { type: 'string' },
  incident: { type: 'string', multiple: true },
} as const;

export const GENERATE: CommandSpec<typeof GENERATE_OPTIONS> = {
  name: 'otptrace generate',
  help: GENERATE_HELP,
  options: GENERATE_OPTIONS,
  positionals: { min: 0, max: 0 },
};

type GenerateValues = Invocation<typeof GENERATE_OPTIONS>['values'];

/** `value` when it is one of `allowed`; a usage error naming the option otherwise. */
function oneOf<T extends string>(value: string | undefined, option: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`${option} ${value}: use one of ${allowed.join(', ')}`);
}

const UNITS: Readonly<Record<string, number>> = { '': 1, B: 1, KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30 };

/** `1GB` → 1073741824; undefined when the text is not a size. */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]?B)?$/i.exec(text.trim());
  if (m === null) return undefined;
  const unit = UNITS[(m[2] ?? '').toUpperCase()];
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

function numberOption(args: GenerateValues, name: Exclude<keyof GenerateValues, 'incident'>): number | undefined {
  const text = args[name];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new Error(`--${name} ${text}: not a number`);
  return value;
}

function optionsFrom(args: GenerateValues): Partial<FleetLogOptions> {
  const options: { -readonly [K in keyof FleetLogOptions]?: FleetLogOptions[K] } = {};
  const set = <K extends keyof FleetLogOptions>(key: K, value: FleetLogOptions[K] | undefined): void => {
    if (value !== undefined) options[key] = value;
  };
  set('users', numberOption(args, 'users'));
  set('seed', numberOption(args, 'seed'));
  set('unrelatedRatio', numberOption(args, 'unrelated-ratio'));
  set('days', numberOption(args, 'days'));
  set('maxClockSkewMs', numberOption(args, 'clock-skew-ms'));
  set('maxLaptopClockSkewMs', numberOption(args, 'laptop-clock-skew-ms'));
  set('daServers', numberOption(args, 'da-servers'));
  set('npsServers', numberOption(args, 'nps-servers'));
  set('cas', numberOption(args, 'cas'));
  set('startTime', args.start);
  set('iisFormat', oneOf(args.iis, '--iis', ['xml', 'w3c'] as const));
  set('npsFormat', oneOf(args.nps, '--nps', ['xml', 'dts', 'odbc', 'ias'] as const));
  set('npsUtcOffsetMinutes', numberOption(args, 'nps-utc-offset'));
  set('npsTimeZone', args['nps-time-zone']);
  set('radiusClientNames', oneOf(args['radius-client-names'], '--radius-client-names', RADIUS_CLIENT_NAMES));
  const incidents = (args.incident ?? []).flatMap((list) => list.split(',')).map((name) => name.trim());
  if (incidents.length > 0)
    set(
      'incidents',
      incidents.map((name) => oneOf(name, '--incident', INCIDENT_NAMES)!),
    );
  const size = args.size;
  if (size !== undefined) {
    const bytes = parseSize(size);
    if (bytes === undefined) throw new Error(`--size ${size}: use e.g. 500MB or 1GB`);
    set('sizeBytes', bytes);
  }
  return options;
}

/** Buffers each file's chunks and writes them in ~1 MB pieces, waiting when a stream is full. */
async function writeAll(dir: string, chunks: Generator<FleetChunk, FleetSummary>): Promise<FleetSummary> {
  const streams = new Map<string, WriteStream>();
  const pending = new Map<string, { parts: string[]; size: number }>();
  const flush = async (file: string): Promise<void> => {
    const buf = pending.get(file);
    if (buf === undefined || buf.size === 0) return;
    let stream = streams.get(file);
    if (stream === undefined) {
      // Text logs go to per-host folders (<host>/W3SVC1/, as IIS lays them out).
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      stream = createWriteStream(join(dir, file));
      streams.set(file, stream);
    }
    const ok = stream.write(buf.parts.join(''));
    pending.set(file, { parts: [], size: 0 });
    if (!ok) await once(stream, 'drain');
  };
  let step = chunks.next();
  for (; step.done !== true; step = chunks.next()) {
    const { file, text } = step.value;
    const buf = pending.get(file) ?? { parts: [], size: 0 };
    buf.parts.push(text);
    buf.size += text.length;
    pending.set(file, buf);
    if (buf.size >= 1 << 20) await flush(file);
  }
  for (const file of pending.keys()) await flush(file);
  await Promise.all(
    [...streams.values()].map(
      (s) => new Promise<void>((resolve, reject) => s.end((e?: Error | null) => (e ? reject(e) : resolve()))),
    ),
  );
  return step.value;
}

/** `otptrace generate`: write a generated fleet's logs and expected verdicts into a folder. Returns the exit code. */
export function runGenerate(argv: string[], io: Io): Promise<number> {
  return runCommand(
    GENERATE,
    argv,
    io,
    ({ values }) => {
      if (values.out === undefined) throw new Error('--out DIR is required (see --help)');
      const options = optionsFrom(values);
      const problems = fleetOptionProblems({ ...DEFAULT_FLEET_OPTIONS, ...options });
      if (problems.length > 0) throw new Error(problems.join('; '));
      return { dir: values.out, chunks: generateFleetLogs(options) };
    },
    async ({ dir, chunks }) => {
      try {
        mkdirSync(dir, { recursive: true });
        const summary = await writeAll(dir, chunks);
        io.stdout(`${JSON.stringify({ out: dir, ...summary })}\n`);
        return 0;
      } catch (e) {
        io.stderr(`otptrace generate: ${(e as Error).message}\n`);
        return 3;
      }
    },
  );
}
