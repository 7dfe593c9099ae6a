import { readFileSync } from 'node:fs';
import { InvalidRequestError } from '../errors.js';

// what a file system error means to someone who typed the path
const PROBLEMS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
};

/**
 * The whole text of FILE, or of standard input for "-"; a file that cannot be read is an error in
 * words: `cannot read missing.geojson: no such file` (not a raw ENOENT with its stack).
 */
export function readInputText(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new InvalidRequestError(`cannot read ${file === '-' ? 'standard input' : file}: ${(code && PROBLEMS[code]) ?? message}`, { cause: error });
  }
}
