import { describe, expect, it } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { csvField, parseCsv } from './csv.js';

describe('parseCsv', () => {
  it('reads quoted fields with commas, quotes and line breaks, and keeps line numbers', () => {
    const text = '\uFEFFa,b,c\r\n1,"x, ""y""",3\n"multi\nline",5,\n\n7,8,9';
    expect([...parseCsv(text)]).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', 'x, "y"', '3'] },
      { line: 3, fields: ['multi\nline', '5', ''] },
      { line: 6, fields: ['7', '8', '9'] },
    ]);
  });

  it('names the line of an unterminated quote', () => {
    expect(() => [...parseCsv('a\n"open,1\n2')]).toThrow(/line 2: a quoted field is never closed/);
  });

  test.prop([fc.array(fc.array(fc.string(), { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 20 })])(
    'csvField output parses back to the same fields',
    (rows) => {
      const text = rows.map((r) => r.map(csvField).join(',')).join('\n');
      expect([...parseCsv(text)].map((r) => r.fields)).toEqual(rows);
    },
  );
});
