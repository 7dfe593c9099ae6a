import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { csvField, parseCsv } from '../../ingest/csv.js';
import { CsvScanner, numberFromText } from './csv-scanner.js';

const bytes = (text: string) => new TextEncoder().encode(text);

/** Every record as [line (0-based), fields, error], blank lines left out. */
function scan(text: string): [number, string[], string | null][] {
  const csv = new CsvScanner(bytes(text));
  const records: [number, string[], string | null][] = [];
  while (csv.next()) {
    if (csv.blank) continue;
    records.push([csv.line, Array.from({ length: csv.fieldCount }, (_, k) => csv.text(k)), csv.error]);
  }
  return records;
}

describe('CsvScanner', () => {
  it('splits quoted fields with commas, doubled quotes and line breaks, CRLF or LF, and numbers lines', () => {
    const text = 'a,b,c\r\n1,"x, ""y""",3\n"multi\nline",5,\n\n7,8,9';
    expect(scan(text)).toEqual([
      [0, ['a', 'b', 'c'], null],
      [1, ['1', 'x, "y"', '3'], null],
      [2, ['multi\nline', '5', ''], null],
      [5, ['7', '8', '9'], null],
    ]);
  });

  it('gives the bytes of each record without its line break', () => {
    const source = bytes('1,"a\nb"\r\n2,c\n');
    const csv = new CsvScanner(source);
    const records: string[] = [];
    while (csv.next()) records.push(new TextDecoder().decode(source.subarray(csv.start, csv.end)));
    expect(records).toEqual(['1,"a\nb"', '2,c']);
    expect(csv.lines).toBe(3);
  });

  it('keeps a byte-order mark character inside a field as data', () => {
    expect(scan(',\uFEFF,\n')).toEqual([[0, ['', '\uFEFF', ''], null]]);
  });

  it('reports an unterminated quote and text after a closing quote', () => {
    expect(scan('1,"ab"c,2\n3,4\n5,"open\n6')).toEqual([
      [0, ['1', 'ab', '2'], 'unexpected text after the closing quote of field 2'],
      [1, ['3', '4'], null],
      [2, ['5', 'open\n6'], 'a quoted field is never closed'],
    ]);
  });

  test.prop([
    fc.array(fc.array(fc.string({ unit: 'binary', maxLength: 8 }), { minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 12 }),
    fc.constantFrom('\n', '\r\n'),
  ])('reads what csvField writes, as parseCsv does', (rows, newline) => {
    const text = rows.map((r) => r.map(csvField).join(',')).join(newline);
    // a byte-order mark at the very start is the file's, dropped before scanning (record-blocks.ts)
    fc.pre(!text.startsWith('\uFEFF'));
    const expected = [...parseCsv(text)];
    expect(scan(text).map(([line, fields]) => [line + 1, fields])).toEqual(expected.map((r) => [r.line, r.fields]));
  });

  test.prop([
    fc.oneof(
      fc.double({ noNaN: true }).map(String),
      fc.tuple(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 20 })).map(([d, k]) => d.toFixed(k)),
      fc.stringMatching(/^[-+]?\d{0,18}(\.\d{0,25})?$/),
      fc.constantFrom('', ' ', ' 1.5 ', '1e3', '.', '-', '0x1f', 'Infinity', '1.2.3', '٣'),
    ),
  ])('number() reads a field exactly as Number() does, blank as NaN', (text) => {
    const csv = new CsvScanner(bytes(`${text},${csvField(text)}`));
    csv.next();
    const expected = text.trim() === '' ? NaN : Number(text);
    expect(Object.is(csv.number(0), expected) || (Number.isNaN(expected) && Number.isNaN(csv.number(0)))).toBe(true);
    expect(Object.is(csv.number(1), csv.number(0)) || Number.isNaN(csv.number(0))).toBe(true);
    expect(Object.is(numberFromText(text), csv.number(0)) || Number.isNaN(csv.number(0))).toBe(true);
  });
});
