// Exports of Windows event logs that hold no event data: only each event's header and its message as rendered in the
// exporting machine's language. otptrace cannot read them (a message's wording differs per language and version), so
// it says what the file is and which export to make instead, rather than only "not an event".

const ADVICE =
  'export the log as .evtx (wevtutil epl, or Event Viewer "Save All Events As" .evtx) or as Event XML (wevtutil qe /f:xml)';

/** What kind of event-log export `text` (the first lines of unreadable content) is, with advice; null: none known. */
export function foreignExportReason(text: string): string | null {
  const firstLine = text.trimStart().split(/\r?\n/, 1)[0] ?? '';
  // `wevtutil qe LOG /f:text`: "Event[0]:" then "  Log Name: ...", the labels in the system's language.
  if (/^Event\[\d+\]:\s*$/.test(firstLine))
    return `wevtutil's text output (/f:text) holds only rendered messages, not event data: ${ADVICE}`;
  // Event Viewer's "Save All Events As" CSV or tab-delimited text: Level, Date and Time, Source, Event ID, Task
  // Category (in the system's language: the fourth column names the ID).
  if (/^[^,\t]+([,\t])[^,\t]+\1[^,\t]+\1[^,\t]*\bID\b[^,\t]*\1[^,\t]+$/i.test(firstLine))
    return `an Event Viewer CSV or text export holds only rendered messages, not event data: ${ADVICE}`;
  // PowerShell: Get-WinEvent | Export-Csv (a #TYPE line in Windows PowerShell 5, then the properties' names), or its
  // table and list output.
  if (
    /^#TYPE System\.Diagnostics\.Eventing\.Reader\./.test(firstLine) ||
    (/^"[A-Za-z]+",/.test(firstLine) && firstLine.includes('"ProviderName"') && firstLine.includes('"Id"')) ||
    /^ProviderName: \S/.test(firstLine) ||
    /^TimeCreated\s*: \S/.test(firstLine) ||
    /^TimeCreated\s+Id\s+LevelDisplayName\s+Message\s*$/.test(firstLine)
  )
    return `PowerShell's Export-Csv, Format-Table or Format-List of Get-WinEvent holds only rendered messages, not event data: ${ADVICE}`;
  return null;
}
