import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type JsonPiece, opensPrettyJson, PrettyJsonDocuments } from '../src/index.js';

/** Pushes `text` line by line (positions as byte offsets, as the line splitter gives them); returns every piece. */
function cut(text: string, maxChars = 1 << 20): JsonPiece[] {
  const reader = new PrettyJsonDocuments(maxChars);
  const out: JsonPiece[] = [];
  let position = 0;
  for (const [i, line] of text.split('\n').entries()) {
    out.push(...reader.push(line.replace(/\r$/, ''), position, i + 1));
    position += Buffer.byteLength(line) + 1;
  }
  out.push(...reader.end());
  return out;
}

const documents = (pieces: JsonPiece[]) =>
  pieces.filter((p) => p.kind === 'document').map((p) => JSON.parse(p.text) as unknown);
const rejections = (pieces: JsonPiece[]) =>
  pieces.filter((p) => p.kind === 'reject').map((p) => [p.code, p.reason, p.lineNumber]);

const a = {
  '@timestamp': '2026-11-02T10:29:00Z',
  winlog: { event_id: '6272', event_data: { Reason: 'a "quoted" {brace} [x] \\ end' } },
};
const b = {
  '@timestamp': '2026-11-02T10:30:00Z',
  message: 'line one\nline two, with ] and }',
  winlog: { record_id: 7 },
};
const c = { winlog: { provider_name: 'NPS', hits: { hits: [1, 2] } }, tags: [] };

describe('pretty-printed JSON documents', () => {
  it('tells pretty-printed JSON by a first line holding only { or [', () => {
    expect(['{', '[', '  [  ', '{\r'].map(opensPrettyJson)).toEqual([true, true, true, true]);
    expect(['{"a": 1}', '[{"a": 1}]', '[{', '{ "a"', ''].map(opensPrettyJson)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('cuts a stream of pretty-printed documents (jq . of NDJSON), each as it was', () => {
    const text = [a, b, c].map((d) => JSON.stringify(d, null, 2)).join('\n');
    const pieces = cut(text);
    expect(documents(pieces)).toEqual([a, b, c]);
    expect(rejections(pieces)).toEqual([]);
    // Each document starts on the line (and at the byte) of its opening brace.
    const lines = text.split('\n');
    const starts = pieces.map((p) => p.lineNumber);
    expect(starts.map((n) => lines[n - 1])).toEqual(['{', '{', '{']);
    expect(pieces.map((p) => p.position)).toEqual(
      starts.map((n) => Buffer.byteLength(lines.slice(0, n - 1).join('\n')) + (n > 1 ? 1 : 0)),
    );
  });

  it('cuts an array into its documents, whatever the indentation', () => {
    for (const indent of [2, 4, '\t'])
      expect(documents(cut(JSON.stringify([a, b, c], null, indent)))).toEqual([a, b, c]);
    // Compact documents inside a pretty array (ConvertTo-Json -Compress of each, joined by hand).
    expect(documents(cut(`[\n${JSON.stringify(a)}, ${JSON.stringify(b)},\n  ${JSON.stringify(c)}\n]`))).toEqual([
      a,
      b,
      c,
    ]);
  });

  it("cuts a search response (?pretty) into its hits, not the response's other fields", () => {
    const hits = [a, b, c].map((d, i) => ({ _index: '.ds-logs', _id: `r${i}`, _score: null, _source: d }));
    const response = {
      took: 5,
      timed_out: false,
      _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
      hits: { total: { value: 3, relation: 'eq' }, max_score: null, hits },
      aggregations: { by_host: { buckets: [{ key: 'nps01', doc_count: 3 }] } },
    };
    const pieces = cut(JSON.stringify(response, null, 2));
    expect(documents(pieces)).toEqual(hits);
    expect(rejections(pieces)).toEqual([]);
  });

  it('keeps a document that is one object which is not a search response whole', () => {
    expect(documents(cut(JSON.stringify(c, null, 2)))).toEqual([c]);
  });

  it('refuses values that are not documents once each, and reads the documents around them', () => {
    const pieces = cut(`[\n  1,\n  "text, with ] and }",\n${JSON.stringify(a, null, 2)},\n  [1, 2],\n  null\n]`);
    expect(documents(pieces)).toEqual([a, [1, 2]]);
    expect(rejections(pieces)).toEqual([
      ['not_an_event', 'line 2: a JSON value that is not an object', 2],
      ['not_an_event', 'line 3: a JSON value that is not an object', 3],
      ['not_an_event', expect.stringContaining('a JSON value that is not an object'), expect.any(Number)],
    ]);
  });

  it('rejects what it cannot follow and starts again at the next document', () => {
    const text = `${JSON.stringify(a, null, 2)}\n]\nsome text\n${JSON.stringify(b, null, 2)}`;
    const pieces = cut(text);
    expect(documents(pieces)).toEqual([a, b]);
    const first = JSON.stringify(a, null, 2).split('\n').length;
    expect(rejections(pieces)).toEqual([
      ['malformed_json', `line ${first + 1}: a "]" that closes nothing open`, first + 1],
      ['malformed_json', `line ${first + 2}: text outside any JSON document`, first + 2],
    ]);
  });

  it('rejects a document cut short by the end of the input, once', () => {
    const text = `[\n${JSON.stringify(a, null, 2)},\n${JSON.stringify(b, null, 2).slice(0, 40)}`;
    const pieces = cut(text);
    expect(documents(pieces)).toEqual([a]);
    const line = JSON.stringify(a, null, 2).split('\n').length + 2;
    expect(rejections(pieces)).toEqual([
      ['truncated_event', `line ${line}: the input ends inside a JSON document`, line],
    ]);
    // Only the array's end missing: every document was read, and the cut is said where the input ends.
    const unclosed = cut(`[\n${JSON.stringify(a, null, 2)}`);
    expect(documents(unclosed)).toEqual([a]);
    expect(rejections(unclosed).map(([code]) => code)).toEqual(['truncated_event']);
  });

  it('rejects a document longer than the limit and reads the next one', () => {
    const big = { winlog: { event_data: { Data: 'x'.repeat(500) } } };
    const pieces = cut(`[\n${JSON.stringify(big, null, 2)},\n${JSON.stringify(a, null, 2)}\n]`, 300);
    expect(documents(pieces)).toEqual([a]);
    expect(rejections(pieces)).toEqual([['event_too_large', 'line 2: a JSON document longer than 300 characters', 2]]);
  });

  it('gives back any documents as they were, pretty-printed any way, as a stream, an array or search hits', () => {
    const document = fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 });
    fc.assert(
      fc.property(
        fc.array(document, { minLength: 1, maxLength: 5 }),
        fc.constantFrom(1, 2, '\t', '  \r'),
        fc.constantFrom('stream', 'array', 'search'),
        (docs, indent, layout) => {
          // JSON.stringify writes -0 as 0: compare with what the text says.
          const expected = docs.map((d) => JSON.parse(JSON.stringify(d)) as unknown);
          const text =
            layout === 'stream'
              ? expected.map((d) => JSON.stringify(d, null, indent)).join('\n')
              : JSON.stringify(layout === 'array' ? expected : { took: 1, hits: { hits: expected } }, null, indent);
          if (!opensPrettyJson(text.split('\n')[0]!)) return; // a one-line text is NDJSON, read line by line
          const pieces = cut(text);
          expect(rejections(pieces)).toEqual([]);
          expect(documents(pieces)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
