// Benchmark ②: the correlation engine alone, normalised events → closed attempts, in events per CPU-second (one
// thread), the same at 1,000, 10,000 and 100,000 users, and 100,000 on 20 DA/NPS/CA servers (the cost of an event
// must not grow with the open attempts or the hosts),
// and the heap bytes one open attempt costs. Needs --expose-gc for the memory figure.
// Usage: node --expose-gc bench/correlate.mjs [--quick] [--engine DIST] [--cpu-prof FILE] [--no-scale] [--users N] [--days N]
//   --engine DIST     take CorrelationEngine from another build (e.g. a copy of an older dist/) to compare
//   --users N         the main figure on one day of N users (default 10,000; --quick 2,000)
//   --days N          ... on N days of them (as dense as one day, N times the events: what size alone costs)
//   --servers N       ... on N DA servers, NPS servers and CAs (default 2)
//   --cpu-prof FILE   write a V8 CPU profile of the timed passes alone (summarise: node bench/lib/profile-top.mjs FILE)
//   --floods-cpu-prof PREFIX  the same of each flood's timed passes, to PREFIX-1.cpuprofile, PREFIX-2... (summarise alike)
//   --rate-only       print the main figure as JSON and stop (each scale row runs so, in a process of its own)
//   --write-floods DIR  also write each flood's events to DIR as an XML file (to read them with `otptrace analyze`)
//   --radius-client-names K  NPS names the DA servers by their short names (server, the default), by friendly names of
//                     their own (friendly) or by one name (shared): the joins then tell servers apart by learned addresses
//   --laptop-records  number each client computer's events from 1, as every laptop numbers its own log's records (the
//                     generator starts each log at a random number in the millions, so a fleet's numbers never meet)
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { pathToFileURL } from 'node:url';
import { best, built, option, QUICK, report, row } from './lib/common.mjs';
import { CORPORA, ensureCorpus, readCorpus } from './lib/corpus.mjs';
import { editEvent, eventsFile, eventTextOf, numberedPerLaptop } from './lib/event-xml.mjs';
import { normalisedEvents } from './lib/events.mjs';

const engineDist = option('--engine');
const profileFile = option('--cpu-prof');
const floodsProfilePrefix = option('--floods-cpu-prof');
const floodsDir = option('--write-floods');
if (floodsDir !== undefined) mkdirSync(floodsDir, { recursive: true });

const { XmlIngestor, engineConfigOf } = await built('packages/core/pipeline');
const { CorrelationEngine } =
  engineDist === undefined
    ? await built('packages/core/correlate')
    : await import(pathToFileURL(`${engineDist}/index.js`).href);
const { createNormalizeContext } = await built('packages/core/normalize');
const { DEFAULT_ANALYSIS_CONFIG, analysisConfigSchema } = await built('schemas');

const TARGET = { op: '>=', value: 600_000 };
const ctx = createNormalizeContext(DEFAULT_ANALYSIS_CONFIG);

/** What OfflineAnalysis does between sorting and diagnosis: add, advance to each event's time, flush. */
function correlate(events, stats) {
  const engine = new CorrelationEngine(engineConfigOf(DEFAULT_ANALYSIS_CONFIG, ctx, 'sorted'));
  let attempts = 0;
  let openSum = 0;
  for (const e of events) {
    engine.add(e);
    attempts += engine.advance(e.time).attempts.length;
    openSum += engine.openAttempts;
  }
  if (stats !== undefined) stats.meanOpen = openSum / events.length;
  return attempts + engine.flush().attempts.length;
}

/** Events per CPU-second over passes of about two CPU-seconds, best of `runs`; and the mean open attempts. */
function rateOf(events, runs) {
  const stats = {};
  const passes = Math.max(1, Math.ceil(2 / Math.max(0.01, best(1, () => correlate(events, stats)).cpu)));
  const timed = best(runs, () => {
    let attempts = 0;
    for (let i = 0; i < passes; i++) attempts = correlate(events);
    return attempts;
  });
  return { rate: (events.length * passes) / timed.cpu, attempts: timed.result, passes, meanOpen: stats.meanOpen };
}

const usersOption = option('--users');
const daysOption = option('--days');
const serversOption = option('--servers');
const namesOption = option('--radius-client-names');
const corpus = (QUICK ? CORPORA.quick : CORPORA.full).relevant;
const files = readCorpus(
  await ensureCorpus({
    ...corpus,
    ...(usersOption === undefined ? {} : { users: Number(usersOption) }),
    ...(daysOption === undefined ? {} : { days: Number(daysOption) }),
    ...(serversOption === undefined ? {} : { servers: Number(serversOption) }),
    ...(namesOption === undefined ? {} : { radiusClientNames: namesOption }),
  }),
);
// --laptop-records: the client log renumbered as each laptop numbers its own (the event ids follow the numbers).
const events = normalisedEvents(
  process.argv.includes('--laptop-records')
    ? files.map((f) => (f.file === 'client.xml' ? { ...f, bytes: numberedPerLaptop(f.bytes) } : f))
    : files,
  DEFAULT_ANALYSIS_CONFIG,
  ctx,
);
/** `measure()`, under a V8 CPU profile written to `file` when one is named. */
async function profiled(file, measure) {
  if (file === undefined) return measure();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  const result = measure();
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(file, JSON.stringify(profile));
  console.log(`CPU profile of the timed passes: ${file}`);
  session.disconnect();
  return result;
}

const main = await profiled(profileFile, () => rateOf(events, QUICK ? 1 : 3));
if (process.argv.includes('--rate-only')) {
  console.log(JSON.stringify({ events: events.length, rate: main.rate, meanOpen: main.meanOpen }));
  process.exit(0);
}
console.log(
  `${events.length} normalised events → ${main.attempts} attempts; ${main.passes} passes; ` +
    `${Math.round(main.rate)} events/CPU-s; ${main.meanOpen.toFixed(0)} attempts open on average`,
);

/**
 * The same rate on one day of 1,000, 10,000 and 100,000 users (quick: 1,000 and 2,000), each in a process of its
 * own: in one process a row paid for the heap the rows before it left (a 10,000-user day measured after the
 * 100,000-user one ran at 0.87 of its rate measured first), so the rows measured the order, not the engine.
 */
async function scaleRows() {
  if (process.argv.includes('--no-scale')) return [];
  const rows = [];
  // The last: as many users as the largest, on ten times the servers (20 DA servers, NPS servers and CAs): the
  // cost of an event must not grow with the hosts either.
  const sizes = QUICK
    ? [{ users: 1_000 }, { users: 2_000 }]
    : [{ users: 1_000 }, { users: 10_000 }, { users: 100_000 }];
  if (!QUICK) sizes.push({ users: 100_000, servers: 20 });
  // A fleet's laptops number their logs' records alike (from 1): the duplicate check must not meet them all.
  sizes.push({ users: QUICK ? 2_000 : 100_000, laptopRecords: true });
  for (const size of sizes) {
    const { users } = size;
    const same =
      users === corpus.users &&
      size.servers === undefined &&
      size.laptopRecords === undefined &&
      usersOption === undefined;
    const r = same ? { ...main, events: events.length } : rateInOwnProcess(size);
    const on =
      size.servers !== undefined
        ? `, ${size.servers} DA servers, NPS servers and CAs`
        : size.laptopRecords
          ? ', client records numbered per laptop from 1'
          : '';
    console.log(
      `${users} users${on}: ${r.events} events, ${Math.round(r.rate)} events/CPU-s, ${r.meanOpen.toFixed(0)} open`,
    );
    rows.push(
      row(
        'correlate',
        `engine alone, ${users.toLocaleString('en-US')} users${on}, one day`,
        r.rate,
        'events/CPU-s',
        TARGET,
        `${r.events} events, ${Math.round(r.meanOpen)} attempts open on average (own process)`,
      ),
    );
  }
  return rows;
}

/** This benchmark's main figure for one corpus size, from a child process (`--rate-only`). */
function rateInOwnProcess({ users, servers, laptopRecords }) {
  const args = [...process.execArgv, process.argv[1], '--rate-only', '--users', String(users)];
  if (servers !== undefined) args.push('--servers', String(servers));
  if (laptopRecords) args.push('--laptop-records');
  if (QUICK) args.push('--quick');
  if (engineDist !== undefined) args.push('--engine', engineDist);
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop());
}

/**
 * Memory per open attempt: with windows long enough that nothing closes, normalise and add the events one by one
 * (so the event objects are counted: an open attempt owns them), then compare the heap with the engine and without
 * it (dropped and collected). Measured as what dropping the engine frees, not as growth from a baseline taken before:
 * a collection during the filling also frees garbage the earlier rows left, which made the growth small or even
 * negative. The engines are filled in functions of their own: a frame still running the optimised filling loop kept
 * the engine alive through the collections.
 */
function bytesPerOpenAttempt() {
  if (typeof globalThis.gc !== 'function') return null;
  let filled = fillFromBytes();
  const open = filled.engine.openAttempts;
  const held = heapHeldBy(() => {
    filled = null;
  });
  console.log(`memory: ${open} open attempts hold ${(held / 1e6).toFixed(1)} MB of heap`);
  return open === 0 ? null : held / open;
}

/** The engine's own structures per open attempt: the events exist (kept by the caller) before and after. */
function engineBytesPerOpenAttempt() {
  if (typeof globalThis.gc !== 'function') return null;
  let engine = fillFromEvents();
  const open = engine.openAttempts;
  const held = heapHeldBy(() => {
    engine = null;
  });
  return open === 0 ? null : held / open;
}

/** Windows long enough that nothing closes. */
function neverClosing() {
  const day = 86_400_000;
  return analysisConfigSchema.parse({ attemptGapMs: 30 * day, stageTimeoutMs: 30 * day });
}

/** An engine holding every attempt of the corpus, its events normalised from the bytes (and only it holds them). */
function fillFromBytes() {
  const config = neverClosing();
  const context = createNormalizeContext(config);
  const engine = new CorrelationEngine(engineConfigOf(config, context, 'sorted'));
  for (const { bytes } of files) {
    const ingestor = new XmlIngestor(context, { maxEventBytes: config.maxEventBytes });
    for (const item of [...ingestor.push(bytes), ...ingestor.end()]) {
      if (item.type !== 'event') continue;
      engine.add(item.event);
      engine.advance(item.event.time - config.clockSkewToleranceMs * 4);
    }
  }
  return { engine };
}

/** An engine holding every attempt of the corpus, of the events normalised beforehand. */
function fillFromEvents() {
  const config = neverClosing();
  const engine = new CorrelationEngine(engineConfigOf(config, createNormalizeContext(config), 'sorted'));
  for (const e of events) {
    engine.add(e);
    engine.advance(e.time - config.clockSkewToleranceMs * 4);
  }
  return engine;
}

/** Heap bytes freed by `drop` (which lets go of the only reference to what is measured), after full collections. */
function heapHeldBy(drop) {
  const settled = () => {
    for (let i = 0; i < 3; i++) globalThis.gc();
    return process.memoryUsage().heapUsed;
  };
  const before = settled();
  drop();
  return before - settled();
}

/** The Data value `name` of an event text. */
function dataValue(text, name) {
  const value = new RegExp(`<Data Name=(['"])${name}\\1>([^<]*)</Data>`).exec(text)?.[2];
  if (value === undefined) throw new Error(`event text without Data ${name}`);
  return value;
}

/**
 * Floods real sites see, each request's events edited from the corpus's own event texts and read by the product's
 * ingestor: a password-guessing attack on one account (NPS denials of one user for a wrong password, 30 ms apart); a
 * domain-controller outage (every request denied for reason 4, each with its NPS 4402, 10 per second); a wrong RADIUS
 * shared secret (every IIS request unanswered, its client's failure, and NPS System 14 refusing the DA server, 10 per
 * second). Before session 17 each was quadratic: 20,000 denials of one account took 15.6 s in `otptrace analyze`; 2,000
 * requests of an outage made over 1.3 GB of JSON, 8,000 ran out of memory.
 */
async function floodRows() {
  const of = (what, test) => {
    const e = events.find(test);
    if (e === undefined) throw new Error(`the corpus has no ${what}`);
    return e;
  };
  const request = of('answered IIS request', (e) => e.kind === 'gateway.request' && e.status === 200);
  const da = request.ref.computer;
  const daName = da.split('.')[0].toLowerCase();
  // A real account's wrong password (reason 16), not the DA server's probe account (probes take no joins), on the NPS
  // server the request's DA server uses.
  const wrongPassword = (e) =>
    e.kind === 'radius.decision' && e.reasonCode === 16 && e.user !== null && !ctx.identity.isProbe(e.user.key);
  const denial =
    events.find((e) => wrongPassword(e) && e.clientName?.toLowerCase() === daName) ??
    of("a user's wrong password", wrongPassword);
  const nps = denial.ref.computer;
  const noDc = of('NPS 4402', (e) => e.kind === 'radius.directory_unavailable');
  const failure = of(
    "a client's 10005",
    (e) => e.kind === 'client.result' && e.user !== null && e.ref.eventId === 10005,
  );
  const texts = files.map(({ bytes }) => bytes.toString('utf8'));
  const [denialText, noDcText, requestText, failureText] = [denial, noDc, request, failure].map((e) =>
    eventTextOf(texts, e),
  );
  const sam = denial.user.raw.split(/[\\/@]/).find((part) => part.toLowerCase() === denial.user.key) ?? denial.user.key;
  const userFields = (i) => ({
    SubjectUserSid: `S-1-5-21-1111111111-2222222222-3333333333-${100_000 + i}`,
    SubjectUserName: dataValue(denialText, 'SubjectUserName').replace(sam, `u${i}`),
    FullyQualifiedSubjectUserName: dataValue(denialText, 'FullyQualifiedSubjectUserName').replace(sam, `u${i}`),
  });
  const t0 = Math.floor(denial.time);
  let recordId = 9_000_000_000;
  let floodsWritten = 0;
  const edit = (text, changes) => editEvent(text, { recordId: recordId++, ...changes });
  const flood = (count, make) => {
    const texts = [];
    for (let i = 0; i < count; i++) texts.push(...make(i));
    const bytes = eventsFile(texts);
    if (floodsDir !== undefined) writeFileSync(`${floodsDir}/flood-${++floodsWritten}.xml`, bytes);
    const list = normalisedEvents([{ bytes }], DEFAULT_ANALYSIS_CONFIG, ctx);
    if (list.length !== texts.length) throw new Error(`${texts.length} event texts, ${list.length} events`);
    return list;
  };
  const floods = [
    [
      "one account's password-guessing flood (NPS denials of one user, 30 ms apart)",
      flood(50_000, (i) => [edit(denialText, { time: t0 + i * 30 })]),
    ],
    [
      'domain-controller outage (each request denied for reason 4 with its NPS 4402, 10 per second)',
      flood(20_000, (i) => [
        edit(noDcText, { time: t0 + i * 100, computer: nps }),
        edit(denialText, {
          time: t0 + i * 100 + 100,
          // NPS reason code 4 and its text (Microsoft's NPS reason code list).
          data: { ...userFields(i), ReasonCode: '4', Reason: 'The global catalog server cannot be reached.' },
        }),
      ]),
    ],
    [
      "wrong RADIUS shared secret (each IIS request unanswered, its client's failure 50 ms later, NPS System 14 refusing the DA server, 10 per second)",
      flood(20_000, (i) => {
        const end = t0 + i * 100 + 15_000;
        const iso = new Date(end).toISOString();
        return [
          // NPS System 14 names the RADIUS client by the address its request came from.
          edit(noDcText, { time: t0 + i * 100, computer: nps, eventId: 14, data: { '': request.serverIp } }),
          edit(requestText, {
            time: end,
            data: { date: iso.slice(0, 10), time: iso.slice(11, 19), 'time-taken': '15000' },
          }),
          edit(failureText, {
            time: end + 50,
            computer: `pc${i}.corp.example.com`,
            data: { user: `CORP\\u${i}`, serverAddress: da },
          }),
        ];
      }),
    ],
  ];
  const rows = [];
  for (const [index, [what, list]] of floods.entries()) {
    const file = floodsProfilePrefix === undefined ? undefined : `${floodsProfilePrefix}-${index + 1}.cpuprofile`;
    const r = await profiled(file, () => rateOf(list, QUICK ? 1 : 3));
    console.log(`${what}: ${list.length} events → ${r.attempts} attempts, ${Math.round(r.rate)} events/CPU-s`);
    rows.push(
      row(
        'correlate',
        `engine alone, ${what}`,
        r.rate,
        'events/CPU-s',
        TARGET,
        `${list.length} events, ${Math.round(r.meanOpen)} attempts open on average`,
      ),
    );
  }
  return rows;
}

const scale = await scaleRows();
const floods = await floodRows();
const perAttempt = bytesPerOpenAttempt();
const enginePerAttempt = engineBytesPerOpenAttempt();
report([
  row(
    'correlate',
    'correlation engine alone',
    main.rate,
    'events/CPU-s',
    TARGET,
    `${events.length} events × ${main.passes} passes`,
  ),
  ...scale,
  ...floods,
  row(
    'correlate',
    'heap per open attempt (with its events)',
    perAttempt,
    'bytes',
    { op: '<=', value: 1024 },
    perAttempt === null ? 'run with --expose-gc' : 'normalised events included',
  ),
  row(
    'correlate',
    'heap per open attempt, engine structures only',
    enginePerAttempt,
    'bytes',
    null,
    'events owned by the caller',
  ),
]);
