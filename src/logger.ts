import { pino, type Logger as PinoLogger } from 'pino';

/** Extra members of a log line; undefined ones are left out. */
export type LogFields = Readonly<Record<string, unknown>>;

/** Where finished lines go: one JSON object per call, without the newline. */
export type LogSink = (line: string) => void;

/** Writes one JSON line per call: `{"level","time",...fields,"msg"}` (pino). */
export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** a logger that adds `fields` to every line, e.g. the request id */
  child(fields: LogFields): Logger;
  /** resolves once every line written so far has reached its destination */
  flush(): Promise<void>;
}

// the line format operators already parse: level as a word, ISO time, no pid or hostname
let lastMs = NaN;
let lastTime = '';
/** pino's isoTime, made once a millisecond: at 10,000 requests a second a Date and its text per line showed in the profile */
function isoTimeOncePerMs(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

const LINE_FORMAT = {
  base: undefined,
  timestamp: isoTimeOncePerMs,
  formatters: { level: (label: string) => ({ level: label }) },
};

/**
 * A logger writing JSON lines (pino) to `sink`, or, without one, to stderr asynchronously and in
 * batches: a request does not wait for a write (a synchronous line per request halved the req/s,
 * issue 11), and a line may reach stderr up to 100 ms after it is logged. Call `flush` before
 * exiting (pino also writes what is left when the process exits).
 * @example
 * const log = createLogger();
 * log.info('serving', { url }); // {"level":"info","time":"2026-01-05T08:00:00.000Z","url":"http://…","msg":"serving"}
 */
export function createLogger(sink?: LogSink): Logger {
  // one stream for every level: the CLI keeps stdout for data, and the change watcher and the
  // scripts that start `wangge serve` (bench, serve-child) already read stderr
  // lines are written 12 KiB at a time, or 100 ms after the first one: a write per line or two
  // (at 0) kept GET /v1/reverse at 77–81 % of the bare server's rate; 4 KiB writes still cost the
  // main thread ~3.4 µs a request (profile). Not 32 KiB: with a maxWrite above sonic-boom's
  // default its flush() resolved before the last lines were out (logger.test.ts)
  if (sink) return wrap(pino(LINE_FORMAT, { write: (line: string) => sink(line.endsWith('\n') ? line.slice(0, -1) : line) }));
  // pino's destination (sonic-boom, flushed on exit) in its buffer mode, fed a Buffer a line: in
  // its text mode it measures the UTF-8 length of all the text pending on every line, which made a
  // request line cost ~4.5 µs instead of ~1 at 10,000 requests a second
  const destination = pino.destination({ fd: 2, sync: false, minLength: 12288, periodicFlush: 100, contentMode: 'buffer' });
  // pino calls a destination's flush when it has one (Logger.flush)
  const lines = { write: (line: string) => destination.write(Buffer.from(line) as unknown as string), flush: (done: (error?: Error) => void) => destination.flush(done) };
  return wrap(pino(LINE_FORMAT, lines));
}

function wrap(logger: PinoLogger): Logger {
  return {
    info: (msg, fields = {}) => logger.info(fields, msg),
    warn: (msg, fields = {}) => logger.warn(fields, msg),
    error: (msg, fields = {}) => logger.error(fields, msg),
    child: (fields) => wrap(logger.child(fields)),
    // the error is fsync's, which a pipe or terminal refuses (EINVAL) once the lines are written
    flush: () => new Promise((resolve) => logger.flush(() => resolve())),
  };
}

/** The fields that describe a thrown value: its message and, for an Error, its stack. */
export function errorFields(error: unknown): LogFields {
  if (error instanceof Error) return { error: error.message, stack: error.stack };
  return { error: String(error) };
}
