import { gzipSync } from 'node:zlib';
import type { ArchiveMetadata, ArchiveWriter } from './archive.js';
import { tileRange, worldBox, type TileCoord } from './tile-coords.js';
import { TilestatsCollector } from './tilestats.js';

export interface PyramidOptions {
  minzoom: number;
  maxzoom: number;
}

export interface PyramidReport {
  /** tiles with data written */
  tiles: number;
  /** tiles of the range that had no data (left out of the archive) */
  empty: number;
  /** bytes of gzip tile data written, before deduplication */
  bytes: number;
  /** largest tile, uncompressed */
  largestBytes: number;
}

/** The tiles of zooms minzoom..maxzoom covering `bounds` (west, south, east, north), row by row. */
export function* pyramidTiles(bounds: ArchiveMetadata['bounds'], minzoom: number, maxzoom: number): Generator<TileCoord> {
  const box = worldBox({ minX: bounds[0], minY: bounds[1], maxX: bounds[2], maxY: bounds[3] });
  for (let z = minzoom; z <= maxzoom; z++) {
    const range = tileRange(box, z);
    for (let x = range.minX; x <= range.maxX; x++) for (let y = range.minY; y <= range.maxY; y++) yield { z, x, y };
  }
}

export function pyramidSize(bounds: ArchiveMetadata['bounds'], minzoom: number, maxzoom: number): number {
  const box = worldBox({ minX: bounds[0], minY: bounds[1], maxX: bounds[2], maxY: bounds[3] });
  let count = 0;
  for (let z = minzoom; z <= maxzoom; z++) {
    const r = tileRange(box, z);
    count += (r.maxX - r.minX + 1) * (r.maxY - r.minY + 1);
  }
  return count;
}

/**
 * Cuts every tile of the pyramid over `metadata.bounds` with `render` (uncompressed MVT, null
 * when empty) and hands the non-empty ones, gzip-compressed, to `writer`; then finishes the
 * archive with `metadata` narrowed to the exported zooms and the tilestats of the tiles written.
 * On any failure the writer is aborted, so no partial archive remains.
 */
export async function exportPyramid(
  render: (coord: TileCoord) => Uint8Array | null,
  metadata: ArchiveMetadata,
  { minzoom, maxzoom }: PyramidOptions,
  writer: ArchiveWriter,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<PyramidReport> {
  const report: PyramidReport = { tiles: 0, empty: 0, bytes: 0, largestBytes: 0 };
  const total = pyramidSize(metadata.bounds, minzoom, maxzoom);
  const tilestats = new TilestatsCollector();
  try {
    let done = 0;
    for (const coord of pyramidTiles(metadata.bounds, minzoom, maxzoom)) {
      const mvt = render(coord);
      if (mvt === null) report.empty++;
      else {
        tilestats.addTile(mvt);
        const data = gzipSync(mvt, { level: 6 });
        writer.add({ ...coord, data });
        report.tiles++;
        report.bytes += data.byteLength;
        report.largestBytes = Math.max(report.largestBytes, mvt.byteLength);
      }
      if (++done % 256 === 0) onProgress(done, total);
    }
    onProgress(total, total);
    const vectorLayers = metadata.vectorLayers
      .filter((layer) => layer.minzoom <= maxzoom)
      .map((layer) => ({ ...layer, minzoom: Math.max(layer.minzoom, minzoom), maxzoom: Math.min(layer.maxzoom, maxzoom) }));
    const center: ArchiveMetadata['center'] = [metadata.center[0], metadata.center[1], Math.min(maxzoom, Math.max(minzoom, metadata.center[2]))];
    await writer.finish({ ...metadata, minzoom, maxzoom, center, vectorLayers }, tilestats.result(vectorLayers.map((layer) => layer.id)));
  } catch (error) {
    writer.abort();
    throw error;
  }
  return report;
}
