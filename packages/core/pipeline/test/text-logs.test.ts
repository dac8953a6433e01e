import { createNormalizeContext } from '@otptrace/normalize';
import { analysisConfigSchema } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { carryFromJson, carryToJson, DetectingIngestor, type IngestItem, type StreamCarry } from '../src/index.js';

const config = analysisConfigSchema.parse({ npsLogUtcOffsets: { nps01: '+01:00' } });
const ctx = createNormalizeContext(config);

/** Feed a text in small chunks (formats are detected across chunk boundaries) and collect the items. */
function ingest(text: string, label: string, chunk = 7, context = ctx): IngestItem[] {
  const bytes = Buffer.from(text);
  const ingestor = new DetectingIngestor(context, { maxEventBytes: 4096 }, { label });
  const out: IngestItem[] = [];
  for (let i = 0; i < bytes.length; i += chunk) out.push(...ingestor.push(bytes.subarray(i, i + chunk)));
  out.push(...ingestor.end());
  return out;
}

const labelOf = (i: IngestItem): string =>
  i.type === 'event'
    ? `event:${i.event.kind === 'radius.decision' ? i.event.decision : i.event.kind}`
    : i.type === 'ignored'
      ? `ignored:${i.reason}`
      : `rejected:${i.code}`;

describe('text logs through the detecting ingestor', () => {
  it('W3C: every data line is one item; bad lines are rejected at their byte position; directives count nothing', () => {
    const lines = [
      '#Software: Microsoft Internet Information Services 10.0',
      '#Fields: date time s-ip cs-method cs-uri-stem sc-status sc-substatus time-taken c-ip',
      '2026-11-02 08:00:00 203.0.113.10 GET /IPHTTPS 200 0 1 198.51.100.23',
      '2026-11-02 08:00:01 203.0.113.10 POST /otp/DAAuthOtp.dll 403 16 20 198.51.100.23',
      '2026-11-02 08:00:02 203.0.113.10 POST /otp/DAAuthOtp.dll',
      '2026-13-02 08:00:03 203.0.113.10 POST /otp/DAAuthOtp.dll 200 0 9 198.51.100.23',
    ];
    const text = `${lines.join('\r\n')}\r\n`;
    const items = ingest(text, 'exports/da01/W3SVC2/u_ex261102.log');
    expect(items.map(labelOf)).toEqual([
      'ignored:gateway_other_request',
      'event:gateway.request',
      'rejected:invalid_field',
      'rejected:invalid_time',
    ]);
    const event = items[1]!;
    expect(event.type === 'event' && event.event).toMatchObject({
      kind: 'gateway.request',
      ref: { computer: 'da01', channel: 'u_ex261102.log', recordId: 4, eventId: 6200 },
      status: 403,
      subStatus: 16,
      timeTakenMs: 20,
      time: Date.parse('2026-11-02T08:00:01.500Z'),
    });
    expect(items[2]).toMatchObject({ position: text.indexOf('2026-11-02 08:00:02') });
    expect(items[3]).toMatchObject({ position: text.indexOf('2026-13-02') });
  });

  it("HTTP.sys' error log: a POST HTTP.sys answered itself is the DA server's request, with its reason and queue", () => {
    // Microsoft Learn, "Format of the HTTP Server API Error Logs": W3C-shaped, cs-uri with its query, s-reason never empty.
    const lines = [
      '#Software: Microsoft HTTP API 2.0',
      '#Version: 1.0',
      '#Date: 2026-11-02 08:00:00',
      '#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid sc-status s-siteid s-reason s-queuename',
      '2026-11-02 08:00:00 198.51.100.40 50999 203.0.113.10 443 - - - - - - Timer_ConnectionIdle -',
      '2026-11-02 08:00:01 198.51.100.23 50123 203.0.113.10 443 HTTP/1.1 POST /otp/DAAuthOtp.dll?a=1 - 503 2 AppOffline DefaultAppPool',
      '2026-11-02 08:00:02 198.51.100.23 50124 203.0.113.10 443 HTTP/1.1 POST /otp/DAAuthOtp.dll - 500 2 Internal -',
    ];
    const items = ingest(`${lines.join('\r\n')}\r\n`, 'exports/da01/HTTPERR/httperr1.log');
    expect(items.map(labelOf)).toEqual([
      'ignored:gateway_other_request',
      'event:gateway.request',
      'event:gateway.request',
    ]);
    const [, appOffline, internal] = items.map((i) => (i.type === 'event' ? i.event : null));
    expect(appOffline).toMatchObject({
      ref: { provider: 'HTTP.sys error log', computer: 'da01', channel: 'httperr1.log', recordId: 6, eventId: 6200 },
      method: 'POST',
      uriStem: '/otp/DAAuthOtp.dll',
      status: 503,
      timeTakenMs: null,
      clientIp: '198.51.100.23',
      httpSysReason: 'AppOffline (queue DefaultAppPool)',
      time: Date.parse('2026-11-02T08:00:01.500Z'),
    });
    expect(internal).toMatchObject({ status: 500, httpSysReason: 'Internal' });
    // IIS's own W3C lines have no reason phrase: the field is absent there, not null.
    const iis = ingest(
      '#Fields: date time s-ip cs-method cs-uri-stem sc-status c-ip\n2026-11-02 08:00:01 203.0.113.10 POST /otp/DAAuthOtp.dll 200 198.51.100.23\n',
      'da01/W3SVC2/u_ex261102.log',
    )[0]!;
    expect(iis.type === 'event' && 'httpSysReason' in iis.event).toBe(false);
  });

  it("HTTP.sys' error log in its documented form, without #Fields: the twelve fields in their fixed order", () => {
    // Microsoft Learn's sample lines, "Format of the HTTP Server API Error Logs", moved to this scenario's addresses.
    const lines = [
      '2026-11-02 08:00:00 198.51.100.40 50999 203.0.113.10 443 - - - - - Timer_MinBytesPerSecond',
      '2026-11-02 08:00:01 198.51.100.23 50123 203.0.113.10 443 HTTP/1.1 POST /otp/DAAuthOtp.dll 503 - AppOffline',
      '2026-11-02 08:00:02 198.51.100.23 50124 203.0.113.10 443 HTTP/2.0 GET / 505 - Version_N/S',
    ];
    const items = ingest(`${lines.join('\r\n')}\r\n`, 'da01/HTTPERR/httperr1.log');
    expect(items.map(labelOf)).toEqual([
      'ignored:gateway_other_request',
      'event:gateway.request',
      'ignored:gateway_other_request',
    ]);
    expect(items[1]!.type === 'event' && items[1]!.event).toMatchObject({
      ref: { provider: 'HTTP.sys error log', computer: 'da01', recordId: 2 },
      uriStem: '/otp/DAAuthOtp.dll',
      status: 503,
      httpSysReason: 'AppOffline',
    });
  });

  it('NPS DTS: an answered request is ignored, its answer is the decision; an unanswered one is evidence', () => {
    const rec = (t: string, type: number, user: string, reason = 0) =>
      `<Event><Timestamp data_type="4">11/02/2026 ${t}</Timestamp><Computer-Name data_type="1">NPS01</Computer-Name><User-Name data_type="1">${user}</User-Name><Client-IP-Address data_type="3">10.0.0.10</Client-IP-Address><Client-Friendly-Name data_type="1">da01</Client-Friendly-Name><Authentication-Type data_type="0">1</Authentication-Type><Packet-Type data_type="0">${type}</Packet-Type><Reason-Code data_type="0">${reason}</Reason-Code></Event>`;
    const text = [
      rec('09:00:00.100', 1, 'CORP\\bob'),
      rec('09:00:00.300', 3, 'CORP\\bob', 16),
      rec('09:00:05.000', 1, 'CORP\\ann'),
      '<Event><Timestamp data_type="4">garbage</Timestamp><Packet-Type data_type="0">3</Packet-Type></Event>',
      rec('09:00:06.000', 4, 'CORP\\bob'),
    ].join('\n');
    const items = ingest(text, 'IN2611.log');
    expect(items.map(labelOf).sort()).toEqual(
      [
        'event:denied',
        'event:discarded',
        'ignored:answered_radius_request',
        'ignored:unrelated_event',
        'rejected:invalid_time',
      ].sort(),
    );
    const denied = items.find(
      (i) => i.type === 'event' && i.event.kind === 'radius.decision' && i.event.decision === 'denied',
    );
    // Local 09:00:00.300 at UTC+1 (configured) is 08:00:00.300 UTC.
    expect(denied?.type === 'event' && denied.event).toMatchObject({
      time: Date.parse('2026-11-02T08:00:00.300Z'),
      reasonCode: 16,
      authenticationType: 'PAP',
      clock: { offsetMinutes: 60, basis: 'configured' },
      user: { key: 'bob', domain: 'corp' },
    });
  });

  it("NPS database-compatible: TechNet's request and accept pair into one granted decision", () => {
    const text = [
      '"NPS01","IAS",11/02/2026,09:04:33,1,"CORP\\client",,,,,,,,,9,"10.10.10.10","npsclient",,,,,,,1,,0,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,',
      '"NPS01","IAS",11/02/2026,09:04:33,2,,"corp.example/Users/client",,,,,,,,9,"10.10.10.10","npsclient",,,,,,2,1,"Allow access if dial-in permission is enabled",0,"311 1 10.10.10.11 11/02/2026 08:04:30 1",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,',
    ].join('\r\n');
    const items = ingest(text, 'IN2611.log');
    expect(items.map(labelOf).sort()).toEqual(['event:granted', 'ignored:answered_radius_request']);
    const event = items.find((i) => i.type === 'event');
    expect(event?.type === 'event' && event.event).toMatchObject({
      decision: 'granted',
      ref: { eventId: 6272, provider: 'NPS log (database-compatible)', recordId: 2 },
      user: { key: 'client', domain: 'corp' },
      time: Date.parse('2026-11-02T08:04:33Z'),
    });
  });
  it('NPS IAS format: a request and its reject pair into one denied decision, read with the configured offset', () => {
    const text = [
      '10.10.10.10,CORP\\client,11/02/2026,09:04:33,IAS,NPS01,4108,10.10.10.10,4128,da01,4127,1,4136,1,4142,0',
      '10.10.10.10,CORP\\client,11/02/2026,09:04:33,IAS,NPS01,4130,corp.example/Users/client,4108,10.10.10.10,4128,da01,4136,3,4142,16',
    ].join('\r\n');
    const items = ingest(text, 'IN2611.log');
    expect(items.map(labelOf).sort()).toEqual(['event:denied', 'ignored:answered_radius_request']);
    const event = items.find((i) => i.type === 'event');
    expect(event?.type === 'event' && event.event).toMatchObject({
      decision: 'denied',
      reasonCode: 16,
      authenticationType: 'PAP',
      ref: { eventId: 6273, provider: 'NPS log (IAS)', recordId: 2, computer: 'NPS01' },
      user: { key: 'client', domain: 'corp' },
      time: Date.parse('2026-11-02T08:04:33Z'),
    });
  });

  it('text log lines dated before 2000 or over a day after the run are rejected as implausible, as events are', () => {
    // The bound of `createNormalizeContext`: the run's clock plus maxFutureMs (a day), and earliestEventTime.
    const at = createNormalizeContext(config, Date.parse('2026-11-02T12:00:00Z'));
    const read = (text: string, label: string) => ingest(text, label, 7, at);
    const w3c = [
      '#Fields: date time s-ip cs-method cs-uri-stem sc-status sc-substatus time-taken c-ip',
      '2027-11-02 08:00:01 203.0.113.10 POST /otp/DAAuthOtp.dll 200 0 20 198.51.100.23',
      '1999-11-02 08:00:01 203.0.113.10 POST /otp/DAAuthOtp.dll 200 0 20 198.51.100.23',
      '2026-11-02 08:00:01 203.0.113.10 POST /otp/DAAuthOtp.dll 200 0 20 198.51.100.23',
    ];
    const items = read(`${w3c.join('\r\n')}\r\n`, 'da01/W3SVC1/u_ex261102.log');
    expect(items.map(labelOf)).toEqual([
      'rejected:implausible_time',
      'rejected:implausible_time',
      'event:gateway.request',
    ]);
    expect(items[0]).toMatchObject({ reason: 'W3C line 2: event time is too far in the future (date time)' });
    const ias = (date: string, type: number) =>
      `10.10.10.10,CORP\\client,${date},09:04:33,IAS,NPS01,4108,10.10.10.10,4128,da01,4127,1,4136,${type},4142,16`;
    const nps = read(
      [ias('11/02/2027', 1), ias('11/02/2027', 3), ias('11/02/2026', 1), ias('11/02/2026', 3)].join('\r\n'),
      'IN2611.log',
    );
    expect(nps.map(labelOf).sort()).toEqual([
      'event:denied',
      'ignored:answered_radius_request',
      'ignored:answered_radius_request',
      'rejected:implausible_time',
    ]);
    const kept = nps.find((i) => i.type === 'event');
    expect(kept?.type === 'event' && kept.event.time).toBe(Date.parse('2026-11-02T08:04:33Z'));
  });

  it('NPS log switched from one format to another mid-file: each record is read by its own shape', () => {
    const odbc = (t: string, type: number, user: string, reason: number) =>
      `"NPS01","IAS",11/02/2026,${t},${type},"${user}",,,,,,,,,9,"10.0.0.10","da01",,,,,,,1,,${reason},,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,`;
    const ias = (t: string, type: number, user: string, reason: number) =>
      `10.0.0.10,${user},11/02/2026,${t},IAS,NPS01,4108,10.0.0.10,4128,da01,4127,1,4136,${type},4142,${reason}`;
    const dts = (t: string, type: number, user: string, reason: number) =>
      `<Event><Timestamp data_type="4">11/02/2026 ${t}.000</Timestamp><Computer-Name data_type="1">NPS01</Computer-Name><User-Name data_type="1">${user}</User-Name><Client-IP-Address data_type="3">10.0.0.10</Client-IP-Address><Packet-Type data_type="0">${type}</Packet-Type><Reason-Code data_type="0">${reason}</Reason-Code></Event>`;
    const text = [
      odbc('09:00:00', 1, 'CORP\\ann', 0),
      odbc('09:00:00', 2, 'CORP\\ann', 0),
      ias('09:10:00', 1, 'CORP\\bob', 0),
      ias('09:10:00', 3, 'CORP\\bob', 16),
      dts('09:20:00', 1, 'CORP\\cyd', 0),
      dts('09:20:00', 3, 'CORP\\cyd', 48),
    ].join('\r\n');
    const items = ingest(text, 'IN2611.log');
    const decisions = items.flatMap((i) => (i.type === 'event' && i.event.kind === 'radius.decision' ? [i.event] : []));
    expect(decisions.map((e) => [e.user?.key, e.decision, e.reasonCode, e.ref.provider, e.ref.recordId])).toEqual([
      ['ann', 'granted', 0, 'NPS log (database-compatible)', 2],
      ['bob', 'denied', 16, 'NPS log (IAS)', 4],
      ['cyd', 'denied', 48, 'NPS log (DTS)', 6],
    ]);
    expect(items.filter((i) => i.type === 'ignored').length).toBe(3);
  });
});

// With `saved`, the carry goes through JSON between batches, as the file follower's state file keeps it over a restart.
describe.each([
  ['in one process', false],
  ['with the carry saved and restored between batches', true],
])('a stream read in batches (the collector follows files and stdin), %s', (_, saved) => {
  const batches = (parts: string[], label: string): IngestItem[] => {
    let carry: StreamCarry = {};
    return parts.flatMap((part) => {
      if (saved) carry = carryFromJson(JSON.parse(JSON.stringify(carryToJson(carry))));
      const ingestor = new DetectingIngestor(ctx, { maxEventBytes: 4096 }, { label, carry });
      return [...ingestor.push(Buffer.from(part)), ...ingestor.end()];
    });
  };

  it('keeps the W3C #Fields and the line numbers from one batch to the next', () => {
    const header = '#Fields: date time cs-method cs-uri-stem sc-status time-taken\r\n';
    const items = batches(
      [
        `${header}2026-11-02 08:00:00 POST /otp 200 640\r\n`,
        '2026-11-02 08:00:05 GET / 200 1\r\n2026-11-02 08:00:09 POST /otp 200 700\r\n',
      ],
      'file:/logs/da01/W3SVC1/u_ex261102.log',
    );
    expect(items.map(labelOf)).toEqual([
      'event:gateway.request',
      'ignored:gateway_other_request',
      'event:gateway.request',
    ]);
    expect(items.map((i) => (i.type === 'event' ? i.event.ref.recordId : null))).toEqual([2, null, 4]);
  });

  it('keeps an NPS request whose answer comes in the next batch', () => {
    const rec = (t: string, type: number) =>
      `<Event><Timestamp data_type="4">11/02/2026 ${t}</Timestamp><Computer-Name data_type="1">NPS01</Computer-Name><User-Name data_type="1">CORP\\bob</User-Name><Client-IP-Address data_type="3">10.0.0.10</Client-IP-Address><Packet-Type data_type="0">${type}</Packet-Type><Reason-Code data_type="0">0</Reason-Code></Event>\n`;
    const items = batches([rec('09:00:00.100', 1), rec('09:00:00.300', 2)], 'stdin');
    expect(items.map(labelOf).sort()).toEqual(['event:granted', 'ignored:answered_radius_request']);
  });
});
