/**
 * Writes a pyramid as a PMTiles v3 archive (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md):
 * header, root directory, JSON metadata, leaf directories, tile data — one file a static host or
 * CDN can serve with range requests.
 */
import { createHash } from 'node:crypto';
import { closeSync, createWriteStream, openSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { ioFailureOf } from '../store/io-failure.js';
import { commitPart, partPathOf, removeStaleParts } from '../store/part-file.js';
import { typedVectorLayers, type ArchiveMetadata, type ArchiveWriter } from './archive.js';
import { buildDirectories, encodeHeader, MAX_TILE_ZOOM, zxyToTileId, type DirectoryEntry } from './pmtiles-format.js';
import type { Tilestats } from './tilestats.js';

/**
 * Opens a PMTiles writer for `path`. Tiles (gzip-compressed MVT) may arrive in any order;
 * `finish` writes `path.part-PID` and renames it into place, so a failed or aborted export leaves
 * no half file. Fails at once when the file cannot be created.
 *
 * Each distinct tile content is kept in memory until `finish` — the directories and the
 * tile-id-ordered layout need every tile first. That is fine for district pyramids (a few thousand
 * tiles, a few MB); a city- or country-size pyramid would want the blobs spooled to disk instead.
 */
export function createPmtilesWriter(path: string): ArchiveWriter {
  const partial = partPathOf(path);
  removeStaleParts(path);
  let fd: number | undefined = openSync(partial, 'w');
  let phase: 'adding' | 'writing' | 'closed' = 'adding';
  let aborted = false;
  /** tile id → index into `contents` */
  let tiles = new Map<number, number>();
  let contents: Uint8Array[] = [];
  let contentIndexByHash = new Map<string, number>();
  let zoomRange = { min: Infinity, max: -Infinity };

  function releaseFile(): void {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    rmSync(partial, { force: true });
  }

  function releaseTiles(): void {
    tiles = new Map();
    contents = [];
    contentIndexByHash = new Map();
  }

  function assertAdding(action: string): void {
    if (phase !== 'adding') throw new Error(`cannot ${action}: the PMTiles writer for ${path} is already ${aborted ? 'aborted' : 'finished'}`);
  }

  function* untilAborted(chunks: Uint8Array[]): Generator<Uint8Array> {
    for (const chunk of chunks) {
      if (aborted) throw new Error(`export to ${path} was aborted`);
      yield chunk;
    }
  }

  return {
    add({ z, x, y, data }) {
      assertAdding(`add tile ${z}/${x}/${y}`);
      const tileId = zxyToTileId(z, x, y);
      if (data.length === 0) throw new Error(`tile ${z}/${x}/${y} is empty; PMTiles entries need at least one byte`);
      if (tiles.has(tileId)) throw new Error(`tile ${z}/${x}/${y} was added twice`);
      const hash = createHash('sha256').update(data).digest('base64');
      let contentIndex = contentIndexByHash.get(hash);
      if (contentIndex === undefined) {
        contentIndex = contents.length;
        // a copy, so a pooled Buffer's whole slab is not kept alive and later writes by the caller do not leak in
        contents.push(new Uint8Array(data));
        contentIndexByHash.set(hash, contentIndex);
      }
      tiles.set(tileId, contentIndex);
      zoomRange = { min: Math.min(zoomRange.min, z), max: Math.max(zoomRange.max, z) };
    },

    async finish(metadata, tilestats) {
      assertAdding('finish');
      phase = 'writing';
      try {
        checkMetadata(metadata);
        if (tiles.size === 0) throw new Error(`no tiles were added to ${path}; a PMTiles archive needs at least one`);
        if (zoomRange.min < metadata.minzoom || zoomRange.max > metadata.maxzoom) {
          throw new Error(`tiles span zooms ${zoomRange.min}–${zoomRange.max} but the metadata declares ${metadata.minzoom}–${metadata.maxzoom}`);
        }
        const layout = layOutTiles(tiles, contents);
        releaseTiles();
        const directories = buildDirectories(layout.entries);
        const metadataBytes = gzipSync(JSON.stringify(tileJsonOf(metadata, tilestats)));
        const header = encodeHeader({
          rootDirectoryLength: directories.root.length,
          metadataLength: metadataBytes.length,
          leafDirectoriesLength: sumLengths(directories.leaves),
          tileDataLength: sumLengths(layout.blobs),
          addressedTiles: layout.addressedTiles,
          tileEntries: layout.entries.length,
          tileContents: layout.blobs.length,
          metadata,
        });
        const sections = [header, directories.root, metadataBytes, ...directories.leaves, ...layout.blobs];
        const stream = createWriteStream(partial, { fd });
        fd = undefined; // the stream closes it
        await pipeline(Readable.from(untilAborted(sections)), stream);
        // checked and renamed without an await in between, so abort() cannot slip in after the check
        if (aborted) throw new Error(`export to ${path} was aborted`);
        commitPart(partial, path);
        phase = 'closed';
      } catch (error) {
        phase = 'closed';
        releaseTiles();
        releaseFile();
        throw ioFailureOf(error, path) ?? error;
      }
    },

    abort() {
      // finish has run: it either completed the archive, which stays, or already cleaned up
      if (phase === 'closed' && !aborted) return;
      aborted = true;
      releaseTiles();
      // while writing, the stream owns the descriptor; unlinking an open file is fine, and the
      // write loop stops at its next chunk
      if (phase === 'writing') rmSync(partial, { force: true });
      else releaseFile();
      phase = 'closed';
    },
  };
}

/** Tile entries in tile-id order, blobs in the order of their first tile (the `clustered` layout). */
interface TileLayout {
  entries: DirectoryEntry[];
  blobs: Uint8Array[];
  addressedTiles: number;
}

/**
 * Places each distinct content once, at the end of the data written so far when its first tile
 * comes up, and merges consecutive tile ids with the same content into one entry.
 */
function layOutTiles(tiles: ReadonlyMap<number, number>, contents: readonly Uint8Array[]): TileLayout {
  const tileIds = [...tiles.keys()].sort((a, b) => a - b);
  const offsets = new Map<number, number>();
  const blobs: Uint8Array[] = [];
  const entries: DirectoryEntry[] = [];
  let dataLength = 0;
  for (const tileId of tileIds) {
    const contentIndex = tiles.get(tileId)!;
    const blob = contents[contentIndex]!;
    let offset = offsets.get(contentIndex);
    if (offset === undefined) {
      offset = dataLength;
      offsets.set(contentIndex, offset);
      blobs.push(blob);
      dataLength += blob.length;
    }
    const last = entries.at(-1);
    if (last && last.offset === offset && last.tileId + last.runLength === tileId) last.runLength++;
    else entries.push({ tileId, offset, length: blob.length, runLength: 1 });
  }
  return { entries, blobs, addressedTiles: tileIds.length };
}

function sumLengths(chunks: readonly Uint8Array[]): number {
  return chunks.reduce((sum, chunk) => sum + chunk.length, 0);
}

/**
 * The JSON metadata section: TileJSON keys, so viewers can read it as they would a TileJSON, with
 * `vector_layers` fields typed and `tilestats` as in an MBTiles `json` row (what tippecanoe and
 * `pmtiles convert` carry over).
 */
function tileJsonOf(metadata: ArchiveMetadata, tilestats: Tilestats) {
  return {
    name: metadata.name,
    description: metadata.description,
    attribution: metadata.attribution,
    version: metadata.version,
    type: 'overlay',
    format: 'pbf',
    minzoom: metadata.minzoom,
    maxzoom: metadata.maxzoom,
    bounds: metadata.bounds,
    center: metadata.center,
    vector_layers: typedVectorLayers(metadata.vectorLayers, tilestats),
    tilestats,
  };
}

/** Rejects metadata the header cannot hold: zooms outside 0–26, coordinates off the globe. */
function checkMetadata({ minzoom, maxzoom, bounds, center }: ArchiveMetadata): void {
  const isZoom = (zoom: number) => Number.isInteger(zoom) && zoom >= 0 && zoom <= MAX_TILE_ZOOM;
  if (!isZoom(minzoom) || !isZoom(maxzoom) || minzoom > maxzoom) {
    throw new Error(`metadata zooms must be whole numbers with 0 ≤ minzoom ≤ maxzoom ≤ ${MAX_TILE_ZOOM}, got ${minzoom}–${maxzoom}`);
  }
  const isLng = (lng: number) => Number.isFinite(lng) && Math.abs(lng) <= 180;
  const isLat = (lat: number) => Number.isFinite(lat) && Math.abs(lat) <= 90;
  const [west, south, east, north] = bounds;
  if (!isLng(west) || !isLat(south) || !isLng(east) || !isLat(north)) {
    throw new Error(`metadata bounds must be [west, south, east, north] in degrees, got [${bounds.join(', ')}]`);
  }
  const [lng, lat, zoom] = center;
  if (!isLng(lng) || !isLat(lat) || !isZoom(zoom)) {
    throw new Error(`metadata center must be [lng, lat, zoom] with a whole zoom 0–${MAX_TILE_ZOOM}, got [${center.join(', ')}]`);
  }
}
