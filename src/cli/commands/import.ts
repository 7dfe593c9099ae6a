import { loadConfig } from '../../config.js';
import { toWgs84 } from '../../geo/crs.js';
import { PointResolver } from '../../geocode/reverse.js';
import { isIsoDate, layerHasGeometry } from '../../ingest/layer-records.js';
import { detectFormat, FEATURE_FORMATS, readFeatures } from '../../ingest/read-features.js';
import { limitVertices } from '../../ingest/vertex-limit.js';
import { LAYERS } from '../../model.js';
import { importLayer, ImportRejectedError, type ImportReport } from '../../store/import-layer.js';
import { Store } from '../../store/store.js';
import { whenWritable } from '../../store/write-lock.js';
import { chosenDatabase, DATABASE_FLAGS, DATABASE_HELP, onChosenDatabase } from '../command-database.js';
import { choiceFlag, crsFlag, integerFlag, parseFlags, UsageError } from '../args.js';
import { readInputText } from '../input-file.js';
import type { Io } from '../io.js';

export const importHelp = `wangge import FILE --layer ${LAYERS.join('|')} [options]

Reads GeoJSON, newline-delimited GeoJSON or CSV (lng/lat or WKT columns) into the store, in one
transaction: if any feature is invalid nothing is written and every bad feature is listed.
Missing codes are assigned: a component gets its unit grid (and a code from its class), a house
or named place (pois) its unit and social grid, by point-in-polygon on the current grids. A grid
with a code that exists becomes its new version; the old one is closed, never overwritten.
Aliases are attributes only: CSV without coordinates, or GeoJSON features with geometry null.
  --layer L          the layer to import into (required)
  --crs C            input coordinates: wgs84 (default), cgcs2000, gcj02, bd09, EPSG:4326|4490|3857|4513–4554
  --format F         geojson|ndjson|csv (default: from the file name or content)
  --skip-invalid     write the valid features, report the rest
  --allow-large      import geometries of more than $WANGGE_MAX_VERTICES positions (default 2000)
  --date YYYY-MM-DD  when new grid versions take effect if the input has no valid_from (default today)
  --wait SECONDS     how long to wait while another process writes (a server's API writes,
                     another import), saying so on stderr; then nothing is imported (default 120)
${DATABASE_HELP}
                       (a file is created if missing; on PostGIS the import is written back in one
                       transaction, refused whole if a row it changes was changed there meanwhile)
FILE may be - for standard input.`;

const MAX_LISTED = 200;
const DEFAULT_WAIT_S = 120;
const WAIT_REPORT_EVERY_MS = 5_000;

export async function importCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags('import', argv, {
    layer: { type: 'string' },
    crs: { type: 'string' },
    format: { type: 'string' },
    'skip-invalid': { type: 'boolean' },
    'allow-large': { type: 'boolean' },
    date: { type: 'string' },
    wait: { type: 'string' },
    ...DATABASE_FLAGS,
  });
  if (values.help) return io.out(importHelp), 0;
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new UsageError('give exactly one FILE to import (see wangge import --help)');
  const layer = choiceFlag(values.layer, 'layer', LAYERS);
  const crs = crsFlag(values.crs);
  const text = readInputText(file);
  const format = values.format === undefined ? detectFormat(file, text) : choiceFlag(values.format, 'format', FEATURE_FORMATS);
  if (values.date !== undefined && !isIsoDate(values.date)) throw new UsageError(`--date must be a date YYYY-MM-DD, got "${values.date}"`);
  const today = values.date ?? new Date().toISOString().slice(0, 10);
  const waitS = integerFlag(values.wait, 'wait', DEFAULT_WAIT_S);
  const maxVertices = values['allow-large'] ? Infinity : loadConfig({}).maxVertices;

  return onChosenDatabase(chosenDatabase(values), { writes: true, io }, async (dbPath) => {
    // no blocking busy wait: whenWritable waits for other writers and says so
    const store = Store.open(dbPath, { busyTimeoutMs: 0 });
    try {
      let grids: PointResolver | null = null;
      const report = await runImport(() =>
        whenWritable(() => importLayer(store, layer, limitVertices(readFeatures(text, format, { attributesOnly: !layerHasGeometry(layer) }), maxVertices, '--allow-large imports it'), {
          toWgs84: toWgs84(crs),
          skipInvalid: values['skip-invalid'] ?? false,
          today,
          gridsAt: (lng, lat) => {
            // built on first use, from the grids as they were before this import
            grids ??= new PointResolver([], [...store.iterate('grids')], { raster: false });
            const found = grids.resolve(lng, lat);
            return { unitGridCode: found.unitGrid?.code ?? null, socialStaticCode: found.socialGrid?.staticCode ?? null };
          },
        }), { waitMs: waitS * 1000, onWait: reportWaiting(io, waitS) }),
      );
      listInvalid(report, io);
      if (report.rejected) {
        io.err(`error: ${report.invalid.length} of ${report.read} features are invalid; nothing was imported (--skip-invalid imports the rest)`);
        return 1;
      }
      // a nightly batch that imports nothing must not look like one that worked
      if (report.written === 0 && report.invalid.length > 0) {
        io.err(`error: all ${report.read} features are invalid; nothing was imported`);
        return 1;
      }
      io.out(`imported ${report.written} of ${report.read} ${layer} from ${file} (${format}, ${values.crs ?? 'wgs84'})${report.invalid.length ? `; skipped ${report.invalid.length} invalid` : ''}`);
      return 0;
    } finally {
      store.close();
    }
  });
}

async function runImport(run: () => Promise<ImportReport>): Promise<ImportReport & { rejected: boolean }> {
  try {
    return { ...(await run()), rejected: false };
  } catch (error) {
    if (error instanceof ImportRejectedError) return { ...error.report, rejected: true };
    throw error;
  }
}

function listInvalid(report: ImportReport, io: Io): void {
  for (const { where, reason } of report.invalid.slice(0, MAX_LISTED)) io.err(`${where}: ${reason}`);
  if (report.invalid.length > MAX_LISTED) io.err(`… and ${report.invalid.length - MAX_LISTED} more invalid features`);
}

/** Says on stderr that the import waits for the database, after a second and then every few seconds. */
function reportWaiting(io: Io, waitS: number): (waitedMs: number) => void {
  // an API write holds the lock for milliseconds: not worth a line
  let nextReportMs = 1000;
  return (waitedMs) => {
    if (waitedMs < nextReportMs) return;
    nextReportMs = waitedMs + WAIT_REPORT_EVERY_MS;
    io.err(`waiting for the database: another writer holds it (${(waitedMs / 1000).toFixed(0)} s so far, up to ${waitS} s)`);
  };
}
