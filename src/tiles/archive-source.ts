import { basename, extname } from 'node:path';
import { MbtilesTileProvider } from './mbtiles.js';
import { PmtilesTileProvider } from './pmtiles-tile-provider.js';
import type { TileProvider } from './tile-provider.js';

export type ArchiveFormat = 'mbtiles' | 'pmtiles';

/** A tile archive served beside the live sources under its own name (`serve --archive FILE`). */
export interface ArchiveSource {
  /** the source name: the file's stem */
  name: string;
  format: ArchiveFormat;
  /** the file's name without its folder, as the catalog shows it */
  file: string;
  /** serves the archive's one source */
  provider: TileProvider;
  close(): void | Promise<void>;
}

/** Memory for each archive's encoded-tile cache: its tiles are a file read away, so less than the live cache. */
export const ARCHIVE_CACHE_BYTES = 32 * 2 ** 20;

/** The source name an archive is served under: its file name without folder and extension. */
export function archiveSourceName(path: string): string {
  return basename(path, extname(path));
}

/** The archive format a file name says (`.mbtiles`, `.pmtiles`), or undefined. */
export function archiveFormatOf(path: string): ArchiveFormat | undefined {
  const ext = extname(path).toLowerCase();
  return ext === '.mbtiles' ? 'mbtiles' : ext === '.pmtiles' ? 'pmtiles' : undefined;
}

/**
 * Opens an MBTiles (read-only, better-sqlite3) or PMTiles (by byte range) archive by its
 * extension; throws StoreError naming the file when it is missing or unusable.
 */
export async function openArchive(path: string, { cacheBytes = ARCHIVE_CACHE_BYTES }: { cacheBytes?: number } = {}): Promise<ArchiveSource> {
  const format = archiveFormatOf(path);
  if (format === undefined) throw new Error(`${path}: an archive must end in .mbtiles or .pmtiles`);
  const common = { name: archiveSourceName(path), format, file: basename(path) };
  if (format === 'mbtiles') {
    const provider = MbtilesTileProvider.open(path, { cacheBytes });
    return { ...common, provider, close: () => provider.close() };
  }
  const provider = await PmtilesTileProvider.open(path, { cacheBytes });
  return { ...common, provider, close: () => provider.close() };
}
