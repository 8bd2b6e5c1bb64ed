import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeEvent } from './encode.js';
import { createParser, type ParsedEvent } from './parse.js';

const fieldText = fc.string({ unit: 'binary' }).filter((s) => !/[\r\n\0]/.test(s));

describe('encode → parse round trip', () => {
  it('returns any data string, event type and id unchanged, however the bytes are chunked', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fieldText,
        fieldText,
        fc.array(fc.nat(), { maxLength: 6 }),
        (data, event, id, cuts) => {
          const wire = encodeEvent({ data, event, id });
          const events: ParsedEvent[] = [];
          const parser = createParser({ onEvent: (e) => events.push(e) });
          let start = 0;
          for (const cut of [...cuts.map((c) => c % (wire.length + 1))].sort((a, b) => a - b)) {
            parser.feed(wire.slice(start, cut));
            start = Math.max(start, cut);
          }
          parser.feed(wire.slice(start));
          // The spec normalises CRLF and CR inside data to LF, and event "" means "message".
          const expected = data.replace(/\r\n|\r/g, '\n');
          expect(events).toEqual([
            { type: event === '' ? 'message' : event, data: expected, lastEventId: id },
          ]);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
