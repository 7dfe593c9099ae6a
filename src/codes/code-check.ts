import { CodeError } from './code-error.js';

/** Result of a validate function; `reason` is the message without the quoted input. */
export type CodeCheck = { ok: true } | { ok: false; reason: string; part: string };

/** Runs a decoder and turns its CodeError into a failed check; any other error is a bug and propagates. */
export function checkCode(decode: () => unknown): CodeCheck {
  try {
    decode();
    return { ok: true };
  } catch (err) {
    if (err instanceof CodeError) return { ok: false, reason: err.reason, part: err.part };
    throw err;
  }
}
