import { describe, expect, it } from 'vitest';
import { EventSplitter, readWinlogbeatLine } from '../src/index.js';

/** The rejections of `text` read as Event XML (what an unrecognised file is read as). */
function rejectionsOf(text: string): string[] {
  const splitter = new EventSplitter(1 << 20);
  const items = [...splitter.push(Buffer.from(text)), ...splitter.end()];
  return items.map((item) => (item.kind === 'reject' ? `${item.code}: ${item.reason}` : 'EVENT'));
}

// The first lines of each export as the tools write them (values shortened).
const EXPORTS: Record<string, string> = {
  "wevtutil's text output":
    'Event[0]:\r\n  Log Name: Security\r\n  Source: Microsoft-Windows-Security-Auditing\r\n  Event ID: 6272\r\n',
  'an Event Viewer CSV':
    'Level,Date and Time,Source,Event ID,Task Category\r\nInformation,10/21/2013 9:12:05 AM,Microsoft-Windows-Security-Auditing,6272,Network Policy Server,"Network Policy Server granted access to a user."\r\n',
  'an Event Viewer CSV (German)':
    'Ebene,Datum und Uhrzeit,Quelle,Ereignis-ID,Aufgabenkategorie\r\nInformationen,21.10.2013 09:12:05,Microsoft-Windows-Security-Auditing,6272,Netzwerkrichtlinienserver,"..."\r\n',
  'an Event Viewer tab-delimited text':
    'Level\tDate and Time\tSource\tEvent ID\tTask Category\r\nInformation\t10/21/2013 9:12:05 AM\tMicrosoft-Windows-Security-Auditing\t6272\tNetwork Policy Server\t...\r\n',
  "Windows PowerShell's Export-Csv":
    '#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\r\n"Message","Id","Version","Qualifiers","Level","Task","Opcode","Keywords","RecordId","ProviderName","ProviderId","LogName","ProcessId","ThreadId","MachineName","UserId","TimeCreated"\r\n',
  "PowerShell 7's Export-Csv":
    '"Message","Id","Version","Qualifiers","Level","Task","Opcode","Keywords","RecordId","ProviderName","ProviderId","LogName","ProcessId","ThreadId","MachineName","UserId","TimeCreated"\r\n',
  "Get-WinEvent's table":
    '\r\n   ProviderName: Microsoft-Windows-Security-Auditing\r\n\r\nTimeCreated                     Id LevelDisplayName Message\r\n',
  "Get-WinEvent's list":
    '\r\n\r\nTimeCreated  : 10/21/2013 9:12:05 AM\r\nProviderName : Microsoft-Windows-Security-Auditing\r\nId           : 6272\r\n',
};

describe('exports that hold no event data', () => {
  it.each(Object.entries(EXPORTS))('names %s and the export to make instead, once', (_, text) => {
    const rejections = rejectionsOf(text);
    expect(rejections).toHaveLength(1);
    expect(rejections[0]).toMatch(
      /^not_an_event: .* holds only rendered messages, not event data: export the log as \.evtx .*wevtutil qe \/f:xml/,
    );
  });

  it('says only "not an event" of other text, and reads the events after it', () => {
    const event =
      '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><EventID>1</EventID></System></Event>';
    expect(rejectionsOf(`Level,Date\r\nsomething else\r\n${event}`)).toEqual([
      'not_an_event: content that is not an <Event> element',
      'EVENT',
    ]);
  });

  it("names PowerShell's ConvertTo-Json of Get-WinEvent", () => {
    const line = JSON.stringify({
      Id: 6272,
      ProviderName: 'Microsoft-Windows-Security-Auditing',
      Properties: [{ Value: 'S-1-5-21' }],
    });
    const [read] = readWinlogbeatLine(line);
    expect(read).toMatchObject({
      ok: false,
      issue: {
        code: 'not_an_event',
        message: expect.stringMatching(/^PowerShell's ConvertTo-Json of Get-WinEvent .*\(wevtutil qe \/f:xml\)$/),
      },
    });
  });
});
