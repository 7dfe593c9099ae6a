/**
 * Walks the lines of a block's text without copying it: after `next()`, `record` is one line
 * without its line break (CRLF or LF) and `line` its 0-based number. For NDJSON, where a record
 * is a line.
 * @example
 * const cursor = new LineCursor(text);
 * while (cursor.next()) if (cursor.record !== '') use(JSON.parse(cursor.record), cursor.line);
 */
export class LineCursor {
  record = '';
  line = -1;
  private readonly text: string;
  private at = 0;

  constructor(text: string) {
    this.text = text;
  }

  /** Lines consumed so far (all of them once `next()` returned false). */
  get lines(): number {
    return this.line + 1;
  }

  /** Moves to the next line; false at the end of the text. */
  next(): boolean {
    const text = this.text;
    const start = this.at;
    if (start >= text.length) return false;
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    this.at = end + 1;
    this.line++;
    this.record = text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
    return true;
  }
}
