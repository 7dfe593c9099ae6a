/**
 * The binary parts of a PMTiles v3 archive (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md):
 * tile ids along the Hilbert curve, directories, the header.
 */
import { gzipSync } from 'node:zlib';
import type { ArchiveMetadata } from './archive.js';

export const HEADER_BYTES = 127;
/** readers fetch the first 16 KiB at once, so the header and root directory must fit in it */
const ROOT_DIRECTORY_MAX_BYTES = 16_384 - HEADER_BYTES;
/** entries per leaf directory on the first try; doubled until the root fits */
const FIRST_LEAF_ENTRIES = 4096;
/** deepest zoom whose tile ids stay below 2^53 */
export const MAX_TILE_ZOOM = 26;
const COMPRESSION_GZIP = 2;
const TILE_TYPE_MVT = 1;

/** A directory entry: `runLength` tiles from `tileId` on, or a leaf directory when it is 0. */
export interface DirectoryEntry {
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
 * The root directory, and leaf directories when all entries would not fit in the root: leaves of
 * 4096 entries, then twice that, until the root of leaf pointers fits.
 */
export function buildDirectories(entries: readonly DirectoryEntry[]): { root: Uint8Array; leaves: Uint8Array[] } {
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

export interface HeaderFields {
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
export function encodeHeader(fields: HeaderFields): Uint8Array {
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
