import { closeSync, openSync, readSync } from 'node:fs';
import type { RangeResponse, Source } from 'pmtiles';

/**
 * A `pmtiles` Source reading byte ranges of a local file, for tests:
 * `new PMTiles(new FileSource(path))`. (The package's own FileSource takes a browser `File`.)
 */
export class FileSource implements Source {
  constructor(private readonly path: string) {}

  getKey(): string {
    return this.path;
  }

  async getBytes(offset: number, length: number): Promise<RangeResponse> {
    // synchronous reads keep no handle open between calls and are quick enough for tests
    const fd = openSync(this.path, 'r');
    try {
      const bytes = new Uint8Array(length);
      const bytesRead = readSync(fd, bytes, 0, length, offset);
      // the reader asks for the first 16 KiB whatever the file size, so a short read is normal
      return { data: bytes.buffer.slice(0, bytesRead) };
    } finally {
      closeSync(fd);
    }
  }
}
