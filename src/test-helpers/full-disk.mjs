// preloaded into a wangge child (NODE_OPTIONS="--import …/full-disk.mjs") by the full-disk tests:
// - while the file named by WANGGE_FULL_DISK exists, the disk is full: writes to files (fs.write,
//   writev, writeSync on descriptors past stderr) fail with ENOSPC, and SQLite statements that
//   change data fail with SQLITE_FULL, as they do when a real disk fills up; tests create and
//   remove the file to fill and free the disk of a running server;
// - with WANGGE_FS_LOG set, each fsync and rename is listed in that file when the process exits,
//   so tests can check that data is flushed before its rename and the folder after it.
import fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3');
const flagFile = process.env.WANGGE_FULL_DISK;
const logFile = process.env.WANGGE_FS_LOG;
const original = { ...fs };

const full = () => flagFile !== undefined && original.existsSync(flagFile);
const enospc = (syscall) => Object.assign(new Error(`ENOSPC: no space left on device, ${syscall}`), { errno: -28, code: 'ENOSPC', syscall });

fs.write = function write(fd, ...rest) {
  if (fd > 2 && full()) return void process.nextTick(rest.at(-1), enospc('write'));
  return original.write.call(this, fd, ...rest);
};
fs.writev = function writev(fd, ...rest) {
  if (fd > 2 && full()) return void process.nextTick(rest.at(-1), enospc('writev'));
  return original.writev.call(this, fd, ...rest);
};
fs.writeSync = function writeSync(fd, ...rest) {
  if (fd > 2 && full()) throw enospc('write');
  return original.writeSync.call(this, fd, ...rest);
};

const probe = new Database(':memory:');
const statement = Object.getPrototypeOf(probe.prepare('SELECT 1'));
probe.close();
const run = statement.run;
statement.run = function (...args) {
  if (full() && /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i.test(this.source)) throw new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
  return run.apply(this, args);
};

if (logFile !== undefined) {
  const log = [];
  const paths = new Map();
  fs.openSync = function openSync(path, ...rest) {
    const fd = original.openSync.call(this, path, ...rest);
    paths.set(fd, String(path));
    return fd;
  };
  fs.fsyncSync = function fsyncSync(fd) {
    log.push(`fsync ${paths.get(fd) ?? fd}`);
    return original.fsyncSync.call(this, fd);
  };
  fs.renameSync = function renameSync(from, to) {
    log.push(`rename ${from} ${to}`);
    return original.renameSync.call(this, from, to);
  };
  process.on('exit', () => original.writeFileSync(logFile, log.map((line) => line + '\n').join('')));
}

// named imports (`import { renameSync } from 'node:fs'`) see the functions above
syncBuiltinESMExports();
