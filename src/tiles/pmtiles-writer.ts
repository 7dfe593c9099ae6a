/**
 * Writes a pyramid as a PMTiles v3 archive (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md):
 * header, root directory, JSON metadata, leaf directories, tile data — one file a static host or
 * CDN can serve with range requests.
 */
import { createHash } from 'node:crypto';
import { closeSync, createWriteStream, openSync, renameSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import type { ArchiveMetadata, ArchiveWriter } from './archive.js';

const HEADER_BYTES = 127;
/** readers fetch the first 16 KiB at once, so the header and root directory must fit in it */
const ROOT_DIRECTORY_MAX_BYTES = 16_384 - HEADER_BYTES;
/** entries per leaf directory on the first try; doubled until the root fits */
const FIRST_LEAF_ENTRIES = 4096;
/** deepest zoom whose tile ids stay below 2^53 */
const MAX_TILE_ZOOM = 26;
const COMPRESSION_GZIP = 2;
const TILE_TYPE_MVT = 1;

/** A directory entry: `runLength` tiles from `tileId` on, or a leaf directory when it is 0. */
interface DirectoryEntry {
  tileId: number;
  offset: number;
  length: number;
  runLength: number;
}

/**
 * The PMTiles tile id of z/x/y (XYZ numbering): tiles of all lower zooms come first, then the
 * tile's position along the zoom's Hilbert curve.
 * @example zxyToTileId(1, 0, 1) // 2 (0/0/0 is 0, then 1/0/0, 1/0/1, 1/1/1, 1/1/0)
 */
export function zxyToTileId(z: number, x: number, y: number): number {
  if (!Number.isInteger(z) || z < 0 || z > MAX_TILE_ZOOM) {
    throw new Error(`tile ${z}/${x}/${y}: zoom must be a whole number 0–${MAX_TILE_ZOOM}`);
  }
  const size = 2 ** z;
  if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= size || y >= size) {
    throw new Error(`tile ${z}/${x}/${y}: x and y must be whole numbers 0–${size - 1} at zoom ${z}`);
  }
  let position = 0;
  for (let half = size / 2; half >= 1; half /= 2) {
    const right = x >= half ? 1 : 0;
    const lower = y >= half ? 1 : 0;
    // quadrants are visited (0,0), (0,1), (1,1), (1,0)
    position += half * half * ((3 * right) ^ lower);
    x %= half;
    y %= half;
    // the first and last quadrants hold the curve turned (and mirrored), so turn the point back
    if (lower === 0) {
      if (right === 1) [x, y] = [half - 1 - x, half - 1 - y];
      [x, y] = [y, x];
    }
  }
  return (size * size - 1) / 3 + position;
}

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
  const partial = `${path}.part-${process.pid}`;
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

    async finish(metadata) {
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
        const metadataBytes = gzipSync(JSON.stringify(tileJsonOf(metadata)));
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
        renameSync(partial, path);
        phase = 'closed';
      } catch (error) {
        phase = 'closed';
        releaseTiles();
        releaseFile();
        throw error;
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

/**
 * The root directory, and leaf directories when all entries would not fit in the root: leaves of
 * 4096 entries, then twice that, until the root of leaf pointers fits.
 */
function buildDirectories(entries: readonly DirectoryEntry[]): { root: Uint8Array; leaves: Uint8Array[] } {
  const root = encodeDirectory(entries);
  if (root.length <= ROOT_DIRECTORY_MAX_BYTES) return { root, leaves: [] };
  for (let leafEntries = FIRST_LEAF_ENTRIES; ; leafEntries *= 2) {
    const leaves: Uint8Array[] = [];
    const pointers: DirectoryEntry[] = [];
    let offset = 0;
    for (let start = 0; start < entries.length; start += leafEntries) {
      const leaf = encodeDirectory(entries.slice(start, start + leafEntries));
      pointers.push({ tileId: entries[start]!.tileId, offset, length: leaf.length, runLength: 0 });
      leaves.push(leaf);
      offset += leaf.length;
    }
    const pointerRoot = encodeDirectory(pointers);
    if (pointerRoot.length <= ROOT_DIRECTORY_MAX_BYTES) return { root: pointerRoot, leaves };
  }
}

/**
 * A directory as the spec serialises it: the entry count, then column by column — tile id deltas,
 * run lengths, lengths, offsets (0 when the blob follows the previous one, else offset + 1) — as
 * varints, gzipped.
 */
function encodeDirectory(entries: readonly DirectoryEntry[]): Uint8Array {
  const bytes: number[] = [];
  pushVarint(bytes, entries.length);
  let previousTileId = 0;
  for (const entry of entries) {
    pushVarint(bytes, entry.tileId - previousTileId);
    previousTileId = entry.tileId;
  }
  for (const entry of entries) pushVarint(bytes, entry.runLength);
  for (const entry of entries) pushVarint(bytes, entry.length);
  entries.forEach((entry, index) => {
    const previous = entries[index - 1];
    const follows = previous !== undefined && entry.offset === previous.offset + previous.length;
    pushVarint(bytes, follows ? 0 : entry.offset + 1);
  });
  return gzipSync(Uint8Array.from(bytes));
}

/** Appends `value` as an unsigned LEB128 varint; arithmetic, not bit shifts, so ids above 2^32 survive. */
function pushVarint(bytes: number[], value: number): void {
  while (value >= 0x80) {
    bytes.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  bytes.push(value);
}

interface HeaderFields {
  rootDirectoryLength: number;
  metadataLength: number;
  leafDirectoriesLength: number;
  tileDataLength: number;
  addressedTiles: number;
  tileEntries: number;
  tileContents: number;
  metadata: ArchiveMetadata;
}

/** The 127-byte header; sections follow it in the order header, root, metadata, leaves, tile data. */
function encodeHeader(fields: HeaderFields): Uint8Array {
  const header = new Uint8Array(HEADER_BYTES);
  const view = new DataView(header.buffer);
  const setUint64 = (at: number, value: number) => view.setBigUint64(at, BigInt(value), true);
  header.set(new TextEncoder().encode('PMTiles'), 0);
  view.setUint8(7, 3);
  const rootOffset = HEADER_BYTES;
  const metadataOffset = rootOffset + fields.rootDirectoryLength;
  const leafOffset = metadataOffset + fields.metadataLength;
  const tileDataOffset = leafOffset + fields.leafDirectoriesLength;
  setUint64(8, rootOffset);
  setUint64(16, fields.rootDirectoryLength);
  setUint64(24, metadataOffset);
  setUint64(32, fields.metadataLength);
  setUint64(40, leafOffset);
  setUint64(48, fields.leafDirectoriesLength);
  setUint64(56, tileDataOffset);
  setUint64(64, fields.tileDataLength);
  setUint64(72, fields.addressedTiles);
  setUint64(80, fields.tileEntries);
  setUint64(88, fields.tileContents);
  view.setUint8(96, 1); // clustered: blobs lie in tile-id order of first use
  view.setUint8(97, COMPRESSION_GZIP); // directories and metadata
  view.setUint8(98, COMPRESSION_GZIP); // tiles
  view.setUint8(99, TILE_TYPE_MVT);
  const { minzoom, maxzoom, bounds, center } = fields.metadata;
  view.setUint8(100, minzoom);
  view.setUint8(101, maxzoom);
  const [west, south, east, north] = bounds;
  view.setInt32(102, toE7(west), true);
  view.setInt32(106, toE7(south), true);
  view.setInt32(110, toE7(east), true);
  view.setInt32(114, toE7(north), true);
  const [centerLng, centerLat, centerZoom] = center;
  view.setUint8(118, centerZoom);
  view.setInt32(119, toE7(centerLng), true);
  view.setInt32(123, toE7(centerLat), true);
  return header;
}

/** Degrees as the header stores them: a 32-bit integer of ten-millionths. */
function toE7(degrees: number): number {
  return Math.round(degrees * 1e7);
}

function sumLengths(chunks: readonly Uint8Array[]): number {
  return chunks.reduce((sum, chunk) => sum + chunk.length, 0);
}

/** The JSON metadata section: TileJSON keys, so viewers can read it as they would a TileJSON. */
function tileJsonOf(metadata: ArchiveMetadata) {
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
    vector_layers: metadata.vectorLayers.map(({ id, description, minzoom, maxzoom, fields }) => ({ id, description, minzoom, maxzoom, fields })),
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
