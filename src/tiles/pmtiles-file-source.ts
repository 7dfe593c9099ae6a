import { open, type FileHandle } from 'node:fs/promises';
import type { RangeResponse, Source } from 'pmtiles';

/**
 * A `pmtiles` Source over a local file: each `getBytes` reads just that byte range through one
 * file handle kept open while the archive is served (the package's own FileSource takes a
 * browser `File`, which would hold the whole archive in memory).
 */
export class PmtilesFileSource implements Source {
  private constructor(
    private readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  static async open(path: string): Promise<PmtilesFileSource> {
    return new PmtilesFileSource(path, await open(path, 'r'));
  }

  getKey(): string {
    return this.path;
  }

  async getBytes(offset: number, length: number): Promise<RangeResponse> {
    const bytes = new Uint8Array(length);
    const { bytesRead } = await this.handle.read(bytes, 0, length, offset);
    // the reader asks for the first 16 KiB whatever the file size, so a short read is normal
    return { data: bytes.buffer.slice(0, bytesRead) };
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
