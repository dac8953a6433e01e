import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { readEvtx } from '../src/index.js';
import { requireSamplesDir } from './samples.js';

// MSExchange_Management_wec.evtx is a Windows Event Collector log: its record is plain BinXML (no template) whose
// elements carry no dependency identifier. Neither libevtx nor python-evtx can read it (see independent-tool.test.ts
// and README), so its reading is checked whole here and cross-checked against the raw bytes: a forwarded event holds
// its values as text, so every value read must occur in the file as UTF-16LE.
test('the forwarded (WEC) record reads whole, and every value read is text present in the file', () => {
  const bytes = readFileSync(`${requireSamplesDir()}MSExchange_Management_wec.evtx`);
  const reading = readEvtx(bytes);
  expect(reading.rejected).toEqual([]);
  expect(reading.events).toHaveLength(1);
  const [{ event, position }] = reading.events as [(typeof reading.events)[number]];
  expect(position).toBe(4608);
  expect({ ...event, dataList: event.dataList.length }).toEqual({
    provider: 'MSExchange CmdletLogs',
    providerGuid: null,
    eventId: 1,
    qualifiers: 16384,
    version: null,
    level: 4,
    task: 1,
    keywords: '0x80000000000000',
    systemTime: '2021-11-19T16:52:33.833733500Z',
    recordId: 3229,
    channel: 'MSExchange Management',
    computer: 'WEC.ave.local',
    data: {},
    dataList: 27,
  });
  expect(event.dataList.slice(0, 3)).toEqual([
    'Set-Mailbox',
    '-Identity "Administrateur" -DeliverToMailboxAndForward "False" -ForwardingSmtpAddress "smtp:test2@example.com"',
    'ave.local/Users/Administrateur',
  ]);
  const texts = [
    event.provider,
    event.channel,
    event.computer,
    event.systemTime,
    event.keywords ?? '',
    ...event.dataList,
  ];
  for (const text of texts.filter((t) => t !== '')) {
    expect(bytes.includes(Buffer.from(text, 'utf16le')), text).toBe(true);
  }
});
