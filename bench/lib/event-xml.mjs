// Event texts for the correlation benchmark's synthetic loads (floods, laptops' own record numbers), made by editing
// real events of a generated corpus at the XML level. The benchmark then reads them with the product's own ingestor and
// normaliser, so the engine sees objects of the shapes it meets in production (events built by object spread had
// other hidden classes, and one flood's events had fields no normalised event has).

/** The `<Event …>…</Event>` text of `event` (a normalised event) in one of `texts` (the files' text, decoded once). */
export function eventTextOf(texts, event) {
  const { computer, channel, recordId } = event.ref;
  const needle = `<EventRecordID>${recordId}</EventRecordID>`;
  for (const text of texts) {
    for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) {
      const start = text.lastIndexOf('<Event ', at);
      const end = text.indexOf('</Event>', at) + '</Event>'.length;
      const candidate = text.slice(start, end);
      if (candidate.includes(`<Computer>${computer}</Computer>`) && candidate.includes(`<Channel>${channel}</Channel>`))
        return candidate;
    }
  }
  throw new Error(`no text for ${event.id}`);
}

/** Windows' SystemTime form, seven fraction digits. */
function systemTime(ms) {
  return new Date(Math.floor(ms)).toISOString().replace('Z', '0000Z');
}

function replaceOnce(text, pattern, replacement, what) {
  if (!pattern.test(text)) throw new Error(`event text without ${what}`);
  return text.replace(pattern, replacement);
}

/**
 * `text` with other System values and Data values. `data` maps a Data element's Name to its new text; the key `''`
 * names the first Data element without a Name (the System logs' classic events). Values must need no XML escaping.
 */
export function editEvent(text, { time, recordId, computer, eventId, data = {} }) {
  let out = text;
  if (time !== undefined)
    out = replaceOnce(out, /SystemTime=(['"])[^'"]*\1/, `SystemTime='${systemTime(time)}'`, 'SystemTime');
  if (recordId !== undefined)
    out = replaceOnce(out, /<EventRecordID>\d+<\/EventRecordID>/, `<EventRecordID>${recordId}</EventRecordID>`, 'id');
  if (computer !== undefined)
    out = replaceOnce(out, /<Computer>[^<]*<\/Computer>/, `<Computer>${computer}</Computer>`, 'Computer');
  if (eventId !== undefined) out = replaceOnce(out, /(<EventID[^>]*>)\d+</, `$1${eventId}<`, 'EventID');
  for (const [name, value] of Object.entries(data)) {
    const pattern = name === '' ? /<Data>[^<]*<\/Data>/ : new RegExp(`(<Data Name=(['"])${name}\\2>)[^<]*(</Data>)`);
    out = replaceOnce(out, pattern, name === '' ? `<Data>${value}</Data>` : `$1${value}$3`, `Data ${name}`);
  }
  return out;
}

/** An XML file of event texts, as the corpus's files are written. */
export function eventsFile(texts) {
  return Buffer.from(
    `<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n<Events>\n${texts.join('\n')}\n</Events>\n`,
  );
}

/**
 * A client log as every laptop numbers it: each computer's records from 1 per channel, in the file's order (the
 * generator starts each log at a random number in the millions, so a fleet's numbers never meet).
 */
export function numberedPerLaptop(bytes) {
  const next = new Map();
  const text = bytes.toString('utf8').replace(/<Event [\s\S]*?<\/Event>/g, (event) => {
    const computer = /<Computer>([^<]*)<\/Computer>/.exec(event)?.[1];
    const channel = /<Channel>([^<]*)<\/Channel>/.exec(event)?.[1];
    if (computer === undefined || channel === undefined) throw new Error('client event without Computer or Channel');
    const log = `${computer.toLowerCase()}|${channel.toLowerCase()}`;
    const recordId = (next.get(log) ?? 0) + 1;
    next.set(log, recordId);
    return editEvent(event, { recordId });
  });
  return Buffer.from(text);
}
