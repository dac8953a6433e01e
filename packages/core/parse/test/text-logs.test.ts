import { describe, expect, it } from 'vitest';
import {
  detectFormat,
  isRecognisedLog,
  LineSplitter,
  npsRecordFormat,
  readDtsRecord,
  readIasLine,
  readOdbcLine,
  W3cReader,
  w3cField,
  w3cServerFromPath,
} from '../src/index.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('detectFormat: by content, never by name', () => {
  it('tells the formats apart from their first bytes', () => {
    expect(detectFormat(bytes('ElfFile\0\0\0'))).toBe('evtx');
    expect(detectFormat(bytes('#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0'))).toBe(
      'iis-w3c',
    );
    expect(detectFormat(bytes('\ufeff#Fields: date time cs-method\r\n'))).toBe('iis-w3c');
    // TechNet cc771748's database-format example.
    expect(detectFormat(bytes('"CLIENTCOMP","IAS",03/07/2008,13:04:33,1,"client",,,,,,,,,9,"10.10.10.10"'))).toBe(
      'nps-odbc',
    );
    expect(detectFormat(bytes('<Event><Timestamp data_type="4">12/22/2009 15:06:56.609</Timestamp>'))).toBe('nps-dts');
    // TechNet dd197432's IAS-format example; a record with no attribute after its header; a file with a BOM.
    expect(detectFormat(bytes('10.10.10.10,client,06/04/1999,14:42:19,NPS,CLIENTCOMP,6,2,7,1,5,9,61,5,64,1'))).toBe(
      'nps-ias',
    );
    expect(detectFormat(bytes(',client,06/04/1999,14:42:19,NPS,CLIENTCOMP\r\n10.1.1.1,x'))).toBe('nps-ias');
    expect(detectFormat(bytes('\ufeff10.10.10.10,client,06/04/1999,14:42:19,IAS,NPS01,4136,1'))).toBe('nps-ias');
    // Comma-separated, but not NPS: no date and time third and fourth.
    expect(detectFormat(bytes('a,b,c,d,e,f,g'))).toBe('event-xml');
    expect(detectFormat(bytes('<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>'))).toBe(
      'event-xml',
    );
    expect(detectFormat(Buffer.from([0xff, 0xfe, 0x3c, 0x00]))).toBe('event-xml');
    expect(detectFormat(bytes(''))).toBe('event-xml');
  });

  it('isRecognisedLog takes the logs by their first bytes and nothing it would have to guess', () => {
    const logs = [
      bytes('ElfFile\0\0\0'),
      bytes('<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>'),
      bytes('\ufeff<?xml version="1.0" encoding="UTF-8"?><Events>'),
      Buffer.from('\ufeff\r\n<Events><Event>', 'utf16le'),
      Buffer.from('<Event xmlns="x">', 'utf16le'),
      bytes('<Event><Timestamp data_type="4">12/22/2009 15:06:56.609</Timestamp>'),
      bytes('#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0'),
      Buffer.from('\ufeff#Fields: date time cs-method\r\n', 'utf16le'),
      bytes('"CLIENTCOMP","IAS",03/07/2008,13:04:33,1,"client",,,,,,,,,9,"10.10.10.10"'),
      bytes('10.10.10.10,client,06/04/1999,14:42:19,NPS,CLIENTCOMP,6,2,7,1,5,9,61,5,64,1'),
      bytes('{"@timestamp":"2026-11-02T10:40:00.350Z","message":"x","winlog":{"event_id":6272}}\n'),
    ];
    for (const head of logs) expect(isRecognisedLog(head), Buffer.from(head).toString('latin1')).toBe(true);
    const others = [
      bytes(''),
      bytes('a,b,c,d,e,f,g'),
      bytes('Notes on the outage of 2 November\n'),
      bytes('{"name":"otptrace","version":"0.1.0"}'),
      bytes('<?xml version="1.0" encoding="UTF-8"?>\r\n<configuration><system.webServer>'),
      bytes('<!DOCTYPE html><html><head><title>Eventual report</title>'),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from([0x1f, 0x8b, 0x08, 0x00]),
    ];
    for (const head of others) expect(isRecognisedLog(head), Buffer.from(head).toString('latin1')).toBe(false);
  });
});

describe('LineSplitter', () => {
  it('keeps byte positions across chunks, skips a BOM, reads ANSI lines as Windows-1252, rejects long lines', () => {
    const s = new LineSplitter(20);
    const out = [
      ...s.push(Buffer.from('\ufeffab\r\nc', 'utf8')),
      ...s.push(Buffer.concat([Buffer.from('d\n'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])])),
      ...s.push(Buffer.from(`${'x'.repeat(30)}\nlast`)),
      ...s.end(),
    ];
    expect(out).toEqual([
      { kind: 'line', text: 'ab', position: 3, lineNumber: 1 },
      { kind: 'line', text: 'cd', position: 7, lineNumber: 2 },
      { kind: 'line', text: 'café', position: 10, lineNumber: 3 },
      { kind: 'reject', code: 'event_too_large', reason: 'line 4 longer than 20 bytes', position: 15 },
      { kind: 'line', text: 'last', position: 46, lineNumber: 5 },
    ]);
  });
});

describe('W3cReader', () => {
  it('follows #Fields changes mid-file and reads - as empty and + as a space', () => {
    const r = new W3cReader();
    expect(r.read('2026-11-02 08:00:00 POST')).toMatchObject({ kind: 'invalid', code: 'missing_field' });
    expect(r.read('#Fields: date time cs-method cs(User-Agent)')).toEqual({ kind: 'directive' });
    const a = r.read('2026-11-02 08:00:00 POST OTP+Client/1.0');
    expect(a.kind === 'record' && w3cField(a, 'cs(user-agent)')).toBe('OTP Client/1.0');
    expect(r.read('#Fields: date time s-computername cs-method')).toEqual({ kind: 'directive' });
    const b = r.read('2026-11-02 08:00:01 DA01 -');
    expect(b.kind === 'record' && [w3cField(b, 's-computername'), w3cField(b, 'cs-method')]).toEqual(['DA01', null]);
    expect(r.read('2026-11-02 08:00:01 DA01')).toMatchObject({ kind: 'invalid', code: 'invalid_field' });
  });
  it("names the DA server from a <host>/W3SVC<n>/ folder, not from IIS's own folders", () => {
    expect(w3cServerFromPath('exports/da01/W3SVC2/u_ex261102.log')).toBe('da01');
    expect(w3cServerFromPath('C:\\inetpub\\logs\\LogFiles\\W3SVC1\\u_ex261102.log')).toBeNull();
    expect(w3cServerFromPath('u_ex261102.log')).toBeNull();
  });
});

describe('NPS log records', () => {
  it("reads TechNet cc771748's database-format request and accept", () => {
    const request = readOdbcLine(
      '"CLIENTCOMP","IAS",03/07/2008,13:04:33,1,"client",,,,,,,,,9,"10.10.10.10","npsclient",,,,,,,1,,0,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,',
    );
    expect(request).toMatchObject({
      ok: true,
      record: {
        computer: 'CLIENTCOMP',
        localTime: '2008-03-07T13:04:33',
        packetType: '1',
        userName: 'client',
        clientIp: '10.10.10.10',
        clientName: 'npsclient',
        authenticationType: '1',
        reasonCode: '0',
      },
    });
    const accept = readOdbcLine(
      '"CLIENTCOMP","IAS",03/07/2008,13:04:33,2,,"npsclientdc/Users/client",,,,,,,,9,"10.10.10.10","npsclient",,,,,,2,1,"Allow access if dial-in permission is enabled",0,"311 1 10.10.10.11 03/07/2008 20:04:30 1",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,',
    );
    expect(accept).toMatchObject({
      ok: true,
      record: {
        packetType: '2',
        userName: null,
        fullyQualifiedUserName: 'npsclientdc/Users/client',
        policyName: 'Allow access if dial-in permission is enabled',
        reasonCode: '0',
      },
    });
    expect(readOdbcLine('"A","IAS",03/07/2008')).toMatchObject({ ok: false, code: 'missing_field' });
    expect(readOdbcLine('"A,"IAS')).toMatchObject({ ok: false, code: 'invalid_field' });
  });
  it('reads a DTS record (NXLog xm_nps shape) and refuses what is not one', () => {
    const r = readDtsRecord(
      '<Event><Timestamp data_type="4">12/22/2009 15:06:56.609</Timestamp><Computer-Name data_type="1">NAP-IAS2</Computer-Name><Packet-Type data_type="0">3</Packet-Type><Fully-Qualifed-User-Name data_type="1">CORP\\bob &amp; co</Fully-Qualifed-User-Name><Reason-Code data_type="0">16</Reason-Code></Event>',
    );
    expect(r).toMatchObject({
      ok: true,
      record: {
        computer: 'NAP-IAS2',
        localTime: '2009-12-22T15:06:56.609',
        packetType: '3',
        fullyQualifiedUserName: 'CORP\\bob & co',
        reasonCode: '16',
      },
    });
    expect(readDtsRecord('<Event><Timestamp data_type="4">x')).toMatchObject({ ok: false, code: 'not_an_event' });
  });
  it("reads TechNet's IAS-format records: header, then attribute ID and value pairs", () => {
    // The Iasparse examples (cc781314): an Access-Request and an Access-Reject with Reason-Code 16.
    const request = readIasLine(
      '172.31.230.187,rajeshp,02/09/2000,23:18:00,IAS,RAJESHP2,6,2,7,1,5,11,61,5,64,1,65,1,31,172.31.225.108,66,172.31.225.108,4108,172.31.230.187,4116,9,4128,rajeshp3,4147,311,4148,MSRASV5.00,4129,RAJESHP2\\rajeshp,4136,1,4142,0',
    );
    expect(request).toEqual({
      ok: true,
      record: {
        format: 'ias',
        computer: 'RAJESHP2',
        localTime: '2000-02-09T23:18:00',
        packetType: '1',
        userName: 'rajeshp',
        fullyQualifiedUserName: null,
        clientIp: '172.31.230.187',
        clientName: 'rajeshp3',
        nasIp: '172.31.230.187',
        nasIdentifier: null,
        authenticationType: null,
        policyName: null,
        reasonCode: '0',
      },
    });
    const reject = readIasLine(
      '172.31.230.187,rajeshp,02/09/2000,23:18:00,IAS,RAJESHP2,4130,RAJESHP2\\rajeshp,4129,RAJESHP2\\rajeshp,4128,rajeshp3,4116,9,4108,172.31.230.187,4136,3,4142,16',
    );
    expect(reject).toMatchObject({
      ok: true,
      record: { packetType: '3', fullyQualifiedUserName: 'RAJESHP2\\rajeshp', reasonCode: '16' },
    });
  });
  it('reads IAS values written in hexadecimal (a delimiter inside), the first of a repeated ID, and no header user', () => {
    const policy = `0x${Buffer.from('OTP, DirectAccess').toString('hex')}`;
    const accept = readIasLine(
      `10.0.0.5,,11/02/2026,09:00:01,IAS,NPS01,4130,corp.example/Users/ann,32,DA01,4127,1,4149,${policy},4149,second,4136,2,4142,0,4294967206,14`,
    );
    expect(accept).toMatchObject({
      ok: true,
      record: {
        userName: null,
        fullyQualifiedUserName: 'corp.example/Users/ann',
        nasIdentifier: 'DA01',
        authenticationType: '1',
        policyName: 'OTP, DirectAccess',
        packetType: '2',
      },
    });
    // Hexadecimal-looking names that hold no delimiter are kept as written.
    expect(readIasLine('10.0.0.5,0xcafe,11/02/2026,09:00:01,IAS,NPS01,4136,1')).toMatchObject({
      ok: true,
      record: { userName: '0xcafe' },
    });
  });
  it('refuses IAS lines cut short or with an attribute ID that is not a number', () => {
    expect(readIasLine('10.0.0.5,ann,11/02/2026')).toMatchObject({ ok: false, code: 'missing_field' });
    expect(readIasLine('10.0.0.5,ann,11/02/2026,09:00:01,IAS,NPS01,4136')).toMatchObject({
      ok: false,
      code: 'invalid_field',
    });
    expect(readIasLine('10.0.0.5,ann,11/02/2026,09:00:01,IAS,NPS01,Packet-Type,1')).toMatchObject({
      ok: false,
      code: 'invalid_field',
    });
  });
  it('tells the format of each NPS log line (a file may change format mid-way)', () => {
    expect(npsRecordFormat('"NPS01","IAS",11/02/2026,09:00:01,1,"ann"')).toBe('odbc');
    expect(npsRecordFormat('10.0.0.5,ann,11/02/2026,09:00:01,IAS,NPS01,4136,1')).toBe('ias');
    expect(npsRecordFormat('  <Event><Timestamp data_type="4">')).toBe('dts');
    expect(npsRecordFormat('garbage')).toBeNull();
  });
});
