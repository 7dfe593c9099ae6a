import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { ConflictError } from '../../errors.js';
import { Store } from '../../store/store.js';
import type { ArchiveWriter } from '../../tiles/archive.js';
import { exportPyramid, pyramidSize } from '../../tiles/export-pyramid.js';
import { MAX_ZOOM, TILE_SOURCES, type TileSourceName } from '../../tiles/layers.js';
import { createMbtilesWriter } from '../../tiles/mbtiles.js';
import { createPmtilesWriter } from '../../tiles/pmtiles-writer.js';
import { TileService } from '../../tiles/tile-service.js';
import { choiceFlag, integerFlag, parseFlags, UsageError } from '../args.js';
import { Progress } from '../batch/progress.js';
import { chosenDatabase, DATABASE_FLAGS, DATABASE_HELP, onChosenDatabase } from '../command-database.js';
import type { Io } from '../io.js';

export const tilesHelp = `wangge tiles export -o FILE [options]
wangge tiles inspect FILE [--json]     (metadata and tile statistics of an archive; see wangge tiles inspect --help)

Writes a tile pyramid of the district into one archive file.
  -o, --output FILE   the archive to write (e.g. tiles/dongcheng.mbtiles)
  --source S          ${Object.keys(TILE_SOURCES).join(', ')} (default wangge: every layer)
  --minzoom N         first zoom (default 10)
  --maxzoom N         last zoom, at most ${MAX_ZOOM} (default 17)
  --format F          mbtiles (MBTiles 1.3) or pmtiles (PMTiles v3); default from the file
                      extension, else mbtiles
  --force             replace FILE when it exists (without it an existing file is left alone)
${DATABASE_HELP}

The file is written to a temporary name and renamed when complete; identical tiles are stored
once. Its metadata list each layer's fields with their types (Number, String, Boolean) and
tippecanoe's tilestats, so GDAL reads heights as numbers.
Serve an MBTiles file with: wangge serve --mbtiles FILE`;

const FORMATS = ['mbtiles', 'pmtiles'] as const;

export async function tilesCommand(argv: string[], io: Io): Promise<number> {
  if (argv[0] === 'inspect') return (await import('./tiles-inspect.js')).tilesInspectCommand(argv.slice(1), io);
  const { values, positionals } = parseFlags('tiles', argv, {
    output: { type: 'string', short: 'o' },
    source: { type: 'string' },
    minzoom: { type: 'string' },
    maxzoom: { type: 'string' },
    format: { type: 'string' },
    force: { type: 'boolean' },
    ...DATABASE_FLAGS,
  });
  if (values.help) return io.out(tilesHelp), 0;
  if (positionals[0] !== 'export' || positionals.length > 1) throw new UsageError('usage: wangge tiles export -o FILE, or wangge tiles inspect FILE (see wangge tiles --help)');
  const output = values.output;
  if (output === undefined) throw new UsageError('-o FILE is required (see wangge tiles --help)');
  const source = choiceFlag(values.source, 'source', Object.keys(TILE_SOURCES) as TileSourceName[], 'wangge');
  const minzoom = integerFlag(values.minzoom, 'minzoom', 10);
  const maxzoom = integerFlag(values.maxzoom, 'maxzoom', 17);
  if (maxzoom > MAX_ZOOM || minzoom > maxzoom) throw new UsageError(`zooms must satisfy 0 ≤ --minzoom ≤ --maxzoom ≤ ${MAX_ZOOM}, got ${minzoom}–${maxzoom}`);
  const format = choiceFlag(values.format, 'format', FORMATS, extname(output).toLowerCase() === '.pmtiles' ? 'pmtiles' : 'mbtiles');
  // an archive takes minutes to cut and may be what a server is serving: never replaced by accident
  if (!values.force && existsSync(output)) throw new ConflictError(`${output} exists; --force replaces it`);

  return onChosenDatabase(chosenDatabase(values), { writes: false, io }, async (dbPath) => {
    const store = Store.open(dbPath, { readonly: true });
    try {
      const started = performance.now();
      const tiles = TileService.fromStore(store);
      const metadata = tiles.metadata(source);
      const total = pyramidSize(metadata.bounds, minzoom, maxzoom);
      const progress = new Progress(io, { label: 'tiles', totalBytes: total });
      const writer: ArchiveWriter = format === 'pmtiles' ? createPmtilesWriter(output) : createMbtilesWriter(output);
      const report = await exportPyramid((coord) => tiles.render(source, coord), metadata, { minzoom, maxzoom }, writer, (done) =>
        progress.update(done, done),
      );
      const seconds = (performance.now() - started) / 1000;
      progress.finish(
        `wrote ${report.tiles} tiles of ${source} z${minzoom}–${maxzoom} (${report.empty} of ${total} empty, left out; ` +
          `${(report.bytes / 2 ** 20).toFixed(1)} MiB gzip before deduplication, largest ${(report.largestBytes / 1024).toFixed(0)} KiB) ` +
          `as ${format} to ${output} in ${seconds.toFixed(1)} s`,
      );
    } finally {
      store.close();
    }
    return 0;
  });
}
