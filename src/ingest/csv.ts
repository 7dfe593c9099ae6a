/** One parsed CSV record with the 1-based line number it starts on (for error messages). */
export interface CsvRecord {
  line: number;
  fields: string[];
  /** what is malformed in the record (text after a closing quote), when something is */
  error?: string;
}

/**
 * Parses RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks; CRLF or LF.
 * A UTF-8 byte-order mark is dropped. Throws on an unterminated quote, naming its line.
 */
export function* parseCsv(text: string): Generator<CsvRecord> {
  let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (at < text.length) {
    const start = line;
    const fields: string[] = [];
    let error: string | undefined;
    for (;;) {
      let field = '';
      if (text[at] === '"') {
        at++;
        for (;;) {
          const quote = text.indexOf('"', at);
          if (quote < 0) throw new Error(`line ${start}: a quoted field is never closed`);
          field += text.slice(at, quote);
          line += countNewlines(text, at, quote);
          at = quote + 1;
          if (text[at] === '"') {
            field += '"';
            at++;
          } else break;
        }
        // `"a"b`: RFC 4180 has no such field; the record is refused rather than guessed at
        let end = at;
        while (end < text.length && text[end] !== ',' && text[end] !== '\n' && text[end] !== '\r') end++;
        if (end > at) error ??= `field ${fields.length + 1} has text after its closing quote`;
        at = end;
      } else {
        let end = at;
        while (end < text.length && text[end] !== ',' && text[end] !== '\n' && text[end] !== '\r') end++;
        field = text.slice(at, end);
        at = end;
      }
      fields.push(field);
      if (text[at] === ',') {
        at++;
        continue;
      }
      if (text[at] === '\r') at++;
      if (text[at] === '\n') at++;
      line++;
      break;
    }
    // a blank line is not a record
    if (!(fields.length === 1 && fields[0] === '')) yield error === undefined ? { line: start, fields } : { line: start, fields, error };
  }
}

/** Quotes a value for CSV when it needs it. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) if (text.charCodeAt(k) === 10) n++;
  return n;
}
