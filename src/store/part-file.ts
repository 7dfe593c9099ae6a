import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InvalidRequestError } from '../errors.js';

/**
 * A file written under a temporary name, `path.part-PID`, and moved into place only when
 * complete: a failed or killed run never leaves a half file under the real name. Exports, tile
 * archives and generated databases are written this way.
 */

/** The temporary name this process writes `path` under. */
export function partPathOf(path: string): string {
  return `${path}.part-${process.pid}`;
}

/**
 * Removes the part files of `path` left by processes that no longer run (killed, or stopped by a
 * full disk), with SQLite's side files (-wal, -shm, -journal); a part file of a running process
 * is another export in progress and stays. Returns the names removed. Called before writing, so
 * a folder that does not exist is refused here in words (`cannot write out/x.mbtiles: no folder
 * out`), not as the raw ENOENT of the part file's name.
 */
export function removeStaleParts(path: string): string[] {
  const folder = dirname(path);
  const pattern = new RegExp(`^${escapeRegExp(basename(path))}\\.part-(\\d+)(?:-wal|-shm|-journal)?$`);
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? `no folder ${folder}` : code === 'ENOTDIR' ? `${folder} is not a folder` : code === 'EACCES' || code === 'EPERM' ? `permission denied on ${folder}` : null;
    if (problem !== null) throw new InvalidRequestError(`cannot write ${path}: ${problem}`, { cause: error });
    throw error;
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = pattern.exec(name)?.[1];
    if (pid === undefined || isRunning(Number(pid))) continue;
    rmSync(join(folder, name), { force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * Moves a completely written part file to `path` so that a power loss leaves either the old file
 * or the whole new one: the data is flushed to the disk before the rename (else the rename may
 * reach the disk first, and a crash leaves a file of the new name with missing blocks), and the
 * folder after it (else the rename itself may be lost).
 */
export function commitPart(partial: string, path: string): void {
  fsyncPath(partial, 'r+');
  renameSync(partial, path);
  try {
    fsyncPath(dirname(path), 'r');
  } catch (error) {
    // Windows cannot open a folder to flush it (EISDIR, EPERM); its renames are durable as made
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM') throw error;
  }
}

function fsyncPath(path: string, flags: string): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Whether a process with this id runs (EPERM: it runs, under another user). */
function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
