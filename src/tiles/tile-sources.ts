import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { NotFoundError } from '../errors.js';
import type { ArchiveMetadata, VectorLayerInfo } from './archive.js';
import type { ArchiveFormat, ArchiveSource } from './archive-source.js';
import { joinTileLayers } from './composite-tile.js';
import type { TileCoord } from './tile-coords.js';
import type { ServedTile } from './tile-cache.js';
import type { TileProvider } from './tile-provider.js';

interface Entry {
  provider: TileProvider;
  /** the name the provider itself knows the source by */
  inner: string;
  archive?: { format: ArchiveFormat; file: string };
}

/**
 * Every tile source the server answers for: the base provider's (the live sources, or the
 * `--mbtiles` file), archives beside them under their own names, and composites of any of these
 * named by joining names with commas (`grids,houses`), as Martin does. A composite's tile holds
 * the layers of its parts in the order named; a layer two parts share comes from the first.
 */
export class TileSources implements TileProvider {
  readonly sources: readonly string[];
  readonly maxAgeSeconds: number;
  private readonly entries = new Map<string, Entry>();

  constructor(base: TileProvider, archives: readonly ArchiveSource[] = []) {
    for (const name of base.sources) this.entries.set(name, { provider: base, inner: name });
    for (const archive of archives) {
      if (this.entries.has(archive.name)) throw new Error(`two tile sources are named "${archive.name}" (${archive.file})`);
      this.entries.set(archive.name, { provider: archive.provider, inner: archive.provider.sources[0]!, archive: { format: archive.format, file: archive.file } });
    }
    this.sources = [...this.entries.keys()];
    this.maxAgeSeconds = base.maxAgeSeconds;
  }

  /** The single sources a name stands for: itself, or the parts of a composite; 404 naming the unknown part. */
  partsOf(name: string): string[] {
    const parts = name.split(',');
    for (const part of parts) {
      if (!this.entries.has(part)) {
        const composite = parts.length > 1 ? ` (in composite "${name}")` : '';
        throw new NotFoundError(`no tile source "${part}"${composite}; the sources are ${this.sources.join(', ')}, or several joined with commas`);
      }
    }
    return parts;
  }

  /** Format and file name of an archive source; undefined for the base provider's sources. */
  archiveOf(name: string): { format: ArchiveFormat; file: string } | undefined {
    return this.entries.get(name)?.archive;
  }

  /** How long clients may reuse a tile of `name`: the shortest of its parts'. */
  maxAgeOf(name: string): number {
    return Math.min(...this.partsOf(name).map((part) => this.entry(part).provider.maxAgeSeconds));
  }

  metadata(name: string): ArchiveMetadata {
    const parts = this.partsOf(name).map((part) => this.entry(part).provider.metadata(this.entry(part).inner));
    return parts.length === 1 ? parts[0]! : compositeMetadata(name, parts);
  }

  async tile(name: string, coord: TileCoord): Promise<ServedTile | null> {
    const parts = this.partsOf(name);
    if (parts.length === 1) return this.partTile(parts[0]!, coord);
    const tiles = await Promise.all(parts.map((part) => this.partTile(part, coord)));
    const mvt = joinTileLayers(tiles.filter((t) => t !== null).map((t) => gunzipSync(t.gzip)));
    if (mvt === null) return null;
    return { gzip: gzipSync(mvt, { level: 6 }), etag: `"${createHash('sha1').update(mvt).digest('base64url').slice(0, 22)}"` };
  }

  // a part asked beyond its own zooms has nothing to add to a composite
  private async partTile(part: string, coord: TileCoord): Promise<ServedTile | null> {
    const entry = this.entry(part);
    const { minzoom, maxzoom } = entry.provider.metadata(entry.inner);
    if (coord.z < minzoom || coord.z > maxzoom) return null;
    return entry.provider.tile(entry.inner, coord);
  }

  private entry(name: string): Entry {
    const entry = this.entries.get(name);
    if (entry === undefined) throw new NotFoundError(`no tile source "${name}"`);
    return entry;
  }
}

/** TileJSON of a composite: zooms and bounds spanning its parts, each layer once (the first part's). */
function compositeMetadata(name: string, parts: readonly ArchiveMetadata[]): ArchiveMetadata {
  const layers = new Map<string, VectorLayerInfo>();
  for (const part of parts) for (const layer of part.vectorLayers) if (!layers.has(layer.id)) layers.set(layer.id, layer);
  const first = parts[0]!;
  return {
    name,
    description: `composite of ${parts.map((p) => p.name).join(', ')}`,
    attribution: [...new Set(parts.map((p) => p.attribution).filter((a) => a !== ''))].join('; '),
    version: first.version,
    minzoom: Math.min(...parts.map((p) => p.minzoom)),
    maxzoom: Math.max(...parts.map((p) => p.maxzoom)),
    bounds: [
      Math.min(...parts.map((p) => p.bounds[0])),
      Math.min(...parts.map((p) => p.bounds[1])),
      Math.max(...parts.map((p) => p.bounds[2])),
      Math.max(...parts.map((p) => p.bounds[3])),
    ],
    center: first.center,
    vectorLayers: [...layers.values()],
  };
}
