// Runs one fuzz case through the real entry points (XmlIngestor + OfflineAnalysis, or readEvtx + normalizeParsed)
// and checks the invariants every case must keep. Shared by the unit tests (which pass the TypeScript sources) and
// bench/fuzz.mjs (which passes the built dist/), so the same checks run in both.

/** Limits of one case: a case over `hangMs` is a hang, heap growth over the bound is a leak or a blow-up. */
export const DEFAULT_LIMITS = Object.freeze({ hangMs: 2_000, heapBaseBytes: 64 * 1024 * 1024, heapPerInputByte: 32 });

// Evidence of an attack that worked: an expanded billion-laughs entity, or a line of /etc/passwd.
const EXPANDED_LOL = 'lollol';
const PASSWD_LINE = /root:[^:]*:0:0:/;

/** Feed `bytes` to an ingestor in chunks of rng-chosen sizes (so splitter boundaries fall everywhere). */
function ingestXml(deps, analysis, name, bytes, rng, maxEventBytes) {
  const ingestor = new deps.XmlIngestor(analysis.context, { maxEventBytes });
  let items = 0;
  let at = 0;
  while (at < bytes.length) {
    const size = 1 + rng.int(rng.next() < 0.2 ? 16 : 65_536);
    const got = ingestor.push(bytes.subarray(at, at + size));
    items += got.length;
    analysis.add(name, got);
    at += size;
  }
  const last = ingestor.end();
  analysis.add(name, last);
  return items + last.length;
}

/** Read a .evtx file's bytes the way `otptrace analyze` does: each record normalised, each damage a rejection. */
function ingestEvtx(deps, analysis, name, bytes) {
  const reading = deps.readEvtx(bytes);
  const items = [
    ...reading.events.map((e) => deps.normalizeParsed(e.event, e.position, analysis.context)),
    ...reading.rejected.map((r) => ({
      type: 'rejected',
      code: r.code,
      reason: r.reason,
      position: r.position,
      raw: null,
    })),
  ];
  analysis.add(name, items);
  return items.length;
}

/** Check one analysis result against the invariants; returns the violations found (empty when all hold). */
export function checkResult(deps, result, inputs, itemsRead) {
  const v = [];
  const s = result.summary;
  if (s.eventsRead !== itemsRead) v.push(`eventsRead ${s.eventsRead} != items ingested ${itemsRead}`);
  if (s.eventsRead !== s.eventsCorrelated + s.eventsIgnored + s.eventsRejected)
    v.push(`accounting: ${JSON.stringify(s)}`);
  if (s.eventsRejected !== result.rejected.length)
    v.push(`eventsRejected ${s.eventsRejected} != ${result.rejected.length} entries`);
  for (const [reason, n] of Object.entries(s.ignoredBy)) {
    if (deps.DROP_REASONS[reason]?.bucket !== 'ignored')
      v.push(`ignoredBy has ${reason} (${n}), not an ignored reason`);
  }
  const sizes = new Map(inputs.map((f) => [f.name, f.bytes.length]));
  for (const r of result.rejected) {
    if (deps.DROP_REASONS[r.code]?.bucket !== 'rejected')
      v.push(`rejected with code ${r.code}, not a rejection reason`);
    const size = sizes.get(r.file);
    // Correlation drops name `computer/channel` and the EventRecordID; ingestion drops name the file and a byte offset.
    if (size !== undefined && !(Number.isInteger(r.position) && r.position >= 0 && r.position < Math.max(1, size)))
      v.push(`rejection ${r.code} at ${r.position}, outside ${r.file} (${size} bytes)`);
    if (size === undefined && r.code !== 'conflicting_duplicate')
      v.push(`rejection ${r.code} names no input: ${r.file}`);
  }
  const owner = new Map();
  for (const [i, a] of result.attempts.entries()) {
    // One event object may be evidence once per attempt. Events are told apart as objects: a record ID reused far
    // apart in time (a cleared log) is another event by rule.
    if (new Set(a.events).size !== a.events.length) v.push(`attempt ${a.record.attemptId} holds one event twice`);
    for (const e of a.events) {
      // Only the events the engine declares shared (an NPS refusal of the DA server as RADIUS client, the CA's
      // decisions on the DA server's signing certificate) may be evidence for several attempts; any other joins one.
      if (owner.has(e) && !deps.isSharedEvent(e)) v.push(`event ${e.id} in attempts ${owner.get(e)} and ${i}`);
      owner.set(e, i);
    }
  }
  const out = JSON.stringify({ a: result.attempts.map((a) => a.record), r: result.rejected, s });
  if (out.includes(EXPANDED_LOL)) v.push('an entity was expanded (lollol in the output)');
  if (PASSWD_LINE.test(out)) v.push('/etc/passwd content in the output');
  return v;
}

/**
 * One case: `inputs` ({ name, bytes, kind: 'xml' | 'evtx' }) through a fresh analysis. Never throws: a throw is a
 * violation. Returns the violations, the time and heap growth, and the summary.
 */
export function runCase(deps, inputs, rng, limits = DEFAULT_LIMITS) {
  const config = deps.analysisConfigSchema.parse({});
  const heapBefore = process.memoryUsage().heapUsed;
  const start = performance.now();
  const violations = [];
  let summary = null;
  let heapPeak = heapBefore;
  try {
    const analysis = new deps.OfflineAnalysis(config);
    let items = 0;
    for (const f of inputs)
      items +=
        f.kind === 'evtx'
          ? ingestEvtx(deps, analysis, f.name, f.bytes)
          : ingestXml(deps, analysis, f.name, f.bytes, rng, config.maxEventBytes);
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    const result = analysis.finish();
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    summary = result.summary;
    violations.push(...checkResult(deps, result, inputs, items));
  } catch (e) {
    violations.push(`threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
  const ms = performance.now() - start;
  const inputBytes = inputs.reduce((n, f) => n + f.bytes.length, 0);
  const heapGrowth = heapPeak - heapBefore;
  if (ms > limits.hangMs) violations.push(`took ${ms.toFixed(0)} ms (hang guard ${limits.hangMs} ms)`);
  const heapBound = limits.heapBaseBytes + limits.heapPerInputByte * inputBytes;
  if (heapGrowth > heapBound)
    violations.push(`heap grew ${(heapGrowth / 1e6).toFixed(1)} MB (bound ${(heapBound / 1e6).toFixed(1)} MB)`);
  return { violations, ms, heapGrowth, heapPeak, summary, inputBytes };
}
