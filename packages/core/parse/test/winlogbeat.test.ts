import { describe, expect, it } from 'vitest';
import { readWinlogbeatLine, scanEvent } from '../src/index.js';

const winlog = (fields: Record<string, unknown>, rest: Record<string, unknown> = {}) =>
  JSON.stringify({
    '@timestamp': '2026-11-02T10:29:00.3500000Z',
    winlog: {
      provider_name: 'NPS',
      event_id: '13',
      record_id: 901,
      channel: 'System',
      computer_name: 'nps01.corp.example',
      ...fields,
    },
    ...rest,
  });

function read(line: string) {
  const results = readWinlogbeatLine(line);
  expect(results).toHaveLength(1);
  const [result] = results;
  if (!result!.ok) throw new Error(`${result!.issue.code}: ${result!.issue.message}`);
  return result!.value;
}

describe('readWinlogbeatLine', () => {
  it('reads the System fields from winlog, the time from @timestamp, event IDs as Winlogbeat 7 and 8 write them', () => {
    for (const [eventId, recordId] of [
      ['13', 901],
      [13, '901'],
    ]) {
      const p = read(
        winlog({
          event_id: eventId,
          record_id: recordId,
          provider_guid: '{54849625-5478-4994-A5BA-3E3B0328C30D}',
          version: 1,
        }),
      );
      expect(p).toMatchObject({
        provider: 'NPS',
        providerGuid: '{54849625-5478-4994-a5ba-3e3b0328c30d}',
        eventId: 13,
        recordId: 901,
        version: 1,
        channel: 'System',
        computer: 'nps01.corp.example',
        systemTime: '2026-11-02T10:29:00.3500000Z',
      });
    }
  });

  it('reads paramN (data without names) as the unnamed list in number order, named data by name', () => {
    const params = Object.fromEntries([10, 2, 1, 11, 3, 4, 5, 6, 7, 8, 9].map((n) => [`param${n}`, `v${n}`]));
    const classic = read(winlog({ event_data: params }));
    expect(classic.data).toEqual({});
    expect(classic.dataList).toEqual(['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9', 'v10', 'v11']);
    const named = read(
      winlog({
        event_data: { ReasonCode: '16', Attempts: 3, PrivilegeList: ['SeA', 'SeB'], Empty: null, param1: 'x' },
      }),
    );
    expect(named.data).toEqual({ ReasonCode: '16', Attempts: '3', PrivilegeList: 'SeA, SeB', Empty: '', param1: 'x' });
    expect(named.dataList).toEqual(['16', '3', 'SeA, SeB', '', 'x']);
    const userData = read(winlog({ user_data: { xml_name: 'EventXML', Param1: 'a' } }));
    expect(userData.data).toEqual({ Param1: 'a' });
  });

  it('reads a search hit (the document under _source), and the record XML when Winlogbeat kept it', () => {
    const document = JSON.parse(winlog({ event_data: { param1: '10.0.0.10' } }));
    expect(read(JSON.stringify({ _index: 'logs', _id: 'x', _source: document }))).toEqual(
      read(JSON.stringify(document)),
    );
    const xml =
      '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="NPS" /><EventID Qualifiers="49152">13</EventID><Level>2</Level><Task>0</Task><Keywords>0x80000000000000</Keywords><TimeCreated SystemTime="2026-11-02T10:29:00.3501234Z" /><EventRecordID>901</EventRecordID><Channel>System</Channel><Computer>nps01.corp.example</Computer><Security /></System><EventData><Data>10.0.0.10</Data></EventData></Event>';
    const scanned = scanEvent(xml);
    expect(scanned.ok).toBe(true);
    expect(read(JSON.stringify({ ...document, event: { code: '13', original: xml } }))).toEqual(
      scanned.ok ? scanned.value : null,
    );
  });

  it("reads a line's array of documents (Logstash's json_batch) and a search response's hits, each as one event", () => {
    const one = JSON.parse(winlog({ record_id: 1 }));
    const two = JSON.parse(winlog({ record_id: 2 }));
    const ids = (line: string) => readWinlogbeatLine(line).map((r) => (r.ok ? r.value.recordId : r.issue.code));
    expect(ids(JSON.stringify([one, two]))).toEqual([1, 2]);
    expect(ids(JSON.stringify({ took: 3, hits: { total: 2, hits: [{ _source: one }, { _source: two }] } }))).toEqual([
      1, 2,
    ]);
    expect(ids(JSON.stringify([one, 'x']))).toEqual([1, 'not_an_event']);
    expect(ids('[]')).toEqual([]);
  });

  it('says what is missing or wrong', () => {
    const issue = (line: string) => {
      const [result] = readWinlogbeatLine(line);
      return result!.ok ? null : [result!.issue.code, result!.issue.path ?? null];
    };
    expect(issue('{"message": "x"')).toEqual(['malformed_json', null]);
    expect(issue('"text"')).toEqual(['not_an_event', null]);
    expect(issue('{"message": "a Linux log"}')).toEqual(['not_an_event', null]);
    expect(issue(winlog({ provider_name: '' }))).toEqual(['missing_field', 'winlog.provider_name']);
    expect(issue(winlog({ event_id: 'six' }))).toEqual(['missing_field', 'winlog.event_id']);
    expect(issue(winlog({ record_id: -1 }))).toEqual(['missing_field', 'winlog.record_id']);
    expect(issue(winlog({ channel: undefined }))).toEqual(['missing_field', 'winlog.channel']);
    expect(issue(winlog({ computer_name: null }))).toEqual(['missing_field', 'winlog.computer_name']);
    expect(issue(winlog({}, { '@timestamp': undefined }))).toEqual(['missing_field', '@timestamp']);
  });
});
