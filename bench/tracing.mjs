// Benchmark: the cost of tracing OTP attempts, and spans exported per second to the real Zipkin.
//   npx tsc -b packages/adapters/otlp && deploy/zipkin/zipkin.sh start && node bench/tracing.mjs [attempts, default 2000]
// Rows: toSpans alone (pure mapping); + the OTel SDK and the OTLP-JSON file writer; + OTLP/HTTP protobuf to a
// loopback sink that discards (SDK + protobuf + HTTP, no backend work); to the real Zipkin, batched, and the naive
// baseline of one export() per attempt (no batching across attempts). Without a running Zipkin those rows are skipped.
// The "analyze with vs without --otlp-*" row is added where the CLI flag is wired (services/cli).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createTraceExporter } from '../packages/adapters/otlp/dist/index.js';
import { toSpans, traceIdFor } from '../packages/core/trace/dist/index.js';

const attempts = Number(process.argv[2] ?? 2000);
const run = Date.now().toString(36); // fresh trace IDs per run: Zipkin keeps earlier runs in memory

// One attempt = IIS 6200 + NPS 6272 + CA 4886/4887 + client 10022 (field names: schemas/src/event.ts; providers and
// IDs: docs/windows-events.md §2). Attempts are 10 s apart, each by its own user.
function attemptEvents(i) {
  const t = Date.UTC(2026, 2, 2, 9, 0, 0) + i * 10_000;
  const user = { key: `user${i}`, domain: 'corp', domainExplicit: true, raw: `CORP\\user${i}` };
  const ref = (provider, channel, eventId, computer) => ({
    provider,
    eventId,
    computer,
    channel,
    recordId: i * 10 + eventId,
  });
  const base = (r, time, u) => ({ id: `${r.computer}/${r.channel}/${r.recordId}`, ref: r, time, user: u });
  const sec = 'Microsoft-Windows-Security-Auditing';
  return [
    {
      ...base(ref('Microsoft-Windows-IIS-Logging', 'Microsoft-IIS-Logging/Logs', 6200, 'DA01'), t + 1500, null),
      kind: 'gateway.request',
      source: 'gateway',
      startTime: t + 100,
      method: 'POST',
      uriStem: '/OTP/otpsign.dll',
      status: 200,
      subStatus: 0,
      win32Status: 0,
      timeTakenMs: 1400,
      clientIp: '203.0.113.7',
      serverIp: '192.0.2.10',
      serverPort: 443,
      siteName: 'W3SVC1',
      host: 'da.example.com',
    },
    {
      ...base(ref(sec, 'Security', 6272, 'NPS01'), t + 1200, user),
      kind: 'radius.decision',
      source: 'radius',
      decision: 'granted',
      reasonCode: 0,
      reason: null,
      clientName: 'DA01',
      clientIp: '192.0.2.10',
      nasIdentifier: null,
      authenticationType: 'PAP',
      networkPolicy: 'DirectAccess OTP',
    },
    {
      ...base(ref(sec, 'Security', 4886, 'CA01'), t + 3000.123, user),
      kind: 'ca.request',
      source: 'ca',
      requestId: i,
      template: 'DAOTPLogon',
      subject: null,
      requestingMachine: 'CLIENT01',
    },
    {
      ...base(ref(sec, 'Security', 4887, 'CA01'), t + 3250.456, user),
      kind: 'ca.result',
      source: 'ca',
      requestId: i,
      status: 'issued',
      hresult: null,
      template: 'DAOTPLogon',
      subject: null,
      detail: null,
    },
    {
      ...base(
        ref(
          'Microsoft-Windows-OtpCredentialProviderEvt',
          'Microsoft-Windows-OtpCredentialProvider/Operational',
          10022,
          'CLIENT01',
        ),
        t + 3900.789,
        null,
      ),
      kind: 'client.result',
      source: 'client',
      errorCode: null,
      serverAddress: null,
      caName: 'CA01\\Corp-CA',
      templateName: null,
    },
  ];
}

function attemptRecord(i, events) {
  const id = `user${i}@${events[0].id}#${run}`;
  const detail = {
    npsReasonCode: null,
    npsReason: null,
    caHresult: null,
    caHresultSymbol: null,
    clientEventId: null,
    clientErrorCode: null,
    httpStatus: null,
  };
  const evidence = events.map((e) => ({
    source: e.source,
    ...e.ref,
    time: new Date(e.time).toISOString(),
    summary: '',
  }));
  const iso = (ms) => new Date(ms).toISOString();
  return {
    id,
    traceId: traceIdFor(id),
    user: `corp\\user${i}`,
    start: iso(events[1].time),
    end: iso(events[4].time),
    outcome: 'success',
    failedStage: null,
    rootCause: null,
    detail,
    evidence,
    hosts: { client: 'CLIENT01', gateway: 'DA01', radius: 'NPS01', ca: 'CA01' },
    clientAddress: '203.0.113.7',
    gatewayAmbiguous: false,
    closedBy: 'result',
  };
}

const inputs = Array.from({ length: attempts }, (_, i) => {
  const events = attemptEvents(i);
  return { record: attemptRecord(i, events), events };
});
const build = () => inputs.flatMap(({ record, events }) => toSpans(record, events));

/**
 * Times `fn`: with `warm`, one untimed warm-up then the median of 5 runs (the machine is shared: a median resists a
 * neighbour's burst); without, a single run (backend rows: each run stores new spans). Returns { ms, value }.
 */
async function time(fn, warm = true) {
  if (warm) await fn();
  const runs = [];
  for (let i = 0; i < (warm ? 5 : 1); i++) {
    const start = performance.now();
    const value = await fn();
    runs.push({ ms: performance.now() - start, value });
  }
  return runs.sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)];
}

const rows = [];
const row = (what, ms, spans, note = '') =>
  rows.push({ what, ms, attempts: Math.round(spans / 5), spans, perSecond: Math.round(spans / (ms / 1000)), note });

const built = await time(build);
const spanCount = built.value.length;
row('toSpans only (pure mapping)', built.ms, spanCount);

const dir = mkdtempSync(join(tmpdir(), 'otptrace-bench-'));
const file = await time(async () => {
  const exporter = createTraceExporter({ file: join(dir, 'traces.json') }, {});
  const report = await exporter.export(build());
  await exporter.shutdown();
  return report;
});
row(
  'toSpans + SDK + OTLP-JSON file',
  file.ms,
  file.value.spansExported,
  `${(statSync(join(dir, 'traces.json')).size / 1e6).toFixed(1)} MB`,
);

const sink = createServer((req, res) => req.resume().on('end', () => res.end()));
await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
const sinkUrl = `http://127.0.0.1:${sink.address().port}/v1/traces`;
const loop = await time(async () => {
  const exporter = createTraceExporter({ tracesEndpoint: sinkUrl }, {});
  const report = await exporter.export(build());
  await exporter.shutdown();
  return report;
});
row('toSpans + SDK + OTLP/HTTP protobuf, loopback sink', loop.ms, loop.value.spansExported);
sink.close();

let zipkin = null;
try {
  zipkin = execFileSync('bash', [fileURLToPath(new URL('../deploy/zipkin/zipkin.sh', import.meta.url)), 'endpoint'], {
    encoding: 'utf8',
  }).trim();
  execFileSync('bash', [fileURLToPath(new URL('../deploy/zipkin/zipkin.sh', import.meta.url)), 'status']);
} catch {
  zipkin = null;
}
if (zipkin !== null) {
  const spans = build();
  const sent = await time(async () => {
    const exporter = createTraceExporter({ tracesEndpoint: zipkin, protocol: 'zipkin' }, {});
    const report = await exporter.export(spans);
    await exporter.shutdown();
    return report;
  }, false);
  if (!sent.value.ok) console.error(sent.value.errors);
  row('Zipkin, batched (export acknowledged)', sent.ms, sent.value.spansExported, zipkin);
  const last = spans[spans.length - 1].traceId;
  const stored = await time(async () => {
    for (;;) {
      const res = await fetch(`http://127.0.0.1:9411/api/v2/trace/${last}`);
      if (res.ok && (await res.json()).length === 5) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }, false);
  row('  + until the last trace is readable', sent.ms + stored.ms, sent.value.spansExported);

  const few = inputs.slice(0, Math.min(200, attempts));
  const naive = await time(async () => {
    const exporter = createTraceExporter({ tracesEndpoint: zipkin, protocol: 'zipkin' }, {});
    let exported = 0;
    for (const { record, events } of few) {
      const copy = { ...record, id: `${record.id}/naive`, traceId: traceIdFor(`${record.id}/naive`) };
      exported += (await exporter.export(toSpans(copy, events))).spansExported;
    }
    await exporter.shutdown();
    return exported;
  }, false);
  row('Zipkin, baseline: one export() per attempt', naive.ms, naive.value);
} else {
  console.log('Zipkin is not running (deploy/zipkin/zipkin.sh start): backend rows skipped');
}

console.log(
  `machine: ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}, Node ${process.version}, load average ${loadavg()[0].toFixed(1)} (shared machine); ${attempts} attempts x 5 spans`,
);
console.log('| what | attempts | spans | ms | spans/s | note |');
console.log('|---|---:|---:|---:|---:|---|');
for (const r of rows)
  console.log(`| ${r.what} | ${r.attempts} | ${r.spans} | ${r.ms.toFixed(0)} | ${r.perSecond} | ${r.note} |`);
