// Each case is the chunks one response is written in; the splits are the point. Every case ends
// with an `end` event so both clients know when they have seen everything.
const bytes = (text: string) => new TextEncoder().encode(text);
const split = (chunk: Uint8Array, at: number) => [chunk.subarray(0, at), chunk.subarray(at)];
const euro = bytes('data: 1€2\n\n'); // € is three bytes: E2 82 AC at offsets 7..9

export const CASES: Record<string, readonly (string | Uint8Array)[]> = {
  'CRLF split between chunks': ['data: a\r', '\ndata: b\r\n\r', '\n'],
  'CR-only line ends': ['data: a\rdata: b\r\r', 'event: x\rdata: c\r\r'],
  'multibyte character split': [...split(euro, 8), ...split(bytes('data: é\n\n'), 7)],
  'every byte on its own': [...bytes('id: 7\nevent: t\ndata: ü\r\n\r\n')].map((b) =>
    Uint8Array.of(b),
  ),
  'leading BOM': [Uint8Array.of(0xef, 0xbb), Uint8Array.of(0xbf), 'data: after bom\n\n'],
  'two BOMs: the second is part of a field name': ['\ufeff\ufeffdata: x\n\ndata: y\n\n'],
  'NUL in id is ignored': ['id: ok\ndata: 1\n\n', 'id: a\0b\ndata: 2\n\n'],
  'bogus retry lines': ['retry: 10a\nretry: -5\nretry:\nretry: 1.5\ndata: r\n\n'],
  'comments, unknown fields, no-space values': [': hello\nfoo: bar\ndata:x\ndata:  y\n\n'],
  'data-less event and empty data line': ['event: ghost\n\ndata\n\ndata:\ndata:\n\n'],
  'multi-line data and custom types': ['event: t\ndata: 1\ndata: 2\n\n', 'event: \ndata: m\n\n'],
  'invalid UTF-8 becomes U+FFFD': [Uint8Array.of(0x64, 0x61, 0x74, 0x61, 0x3a, 0xff, 0x0a, 0x0a)],
  'ids persist and can be cleared': ['id: 1\ndata: a\n\n', 'id\ndata: b\n\n', 'id: 3\ndata: c\n\n'],
};
export const TYPES = ['message', 't', 'x', 'ghost', 'end'];
export const END = 'event: end\ndata: .\n\n';
