import type { Feature } from 'geojson';
import { InvalidRequestError } from '../errors.js';
import { transformGeometry, type PositionConverter } from '../geo/crs.js';
import { rewindGeometry } from '../geo/validate.js';
import { featureToRecord, type LayerRecordOf, type RecordContext } from '../ingest/layer-records.js';
import type { SourceItem } from '../ingest/read-features.js';
import type { Layer } from '../model.js';
import type { Store } from './store.js';

export interface ImportOptions {
  /** converts input positions to WGS84 */
  toWgs84: PositionConverter;
  /** write the valid features and report the rest, instead of writing nothing */
  skipInvalid: boolean;
  /** locates grids for features that lack codes (built from the store before the import) */
  gridsAt: RecordContext['gridsAt'];
  today: string;
}

export interface ImportReport {
  read: number;
  written: number;
  invalid: { where: string; reason: string }[];
}

/** Thrown when an import without --skip-invalid met bad features; nothing was written. */
export class ImportRejectedError extends InvalidRequestError {
  readonly report: ImportReport;
  constructor(report: ImportReport) {
    super(`${report.invalid.length} of ${report.read} features are invalid; nothing was imported`);
    this.report = report;
  }
}

/**
 * Imports features into one layer in a single transaction: either every feature is written, or
 * (on any invalid one, unless `skipInvalid`) none is and every bad feature is reported.
 * Grids become new versions (the current one is closed); other layers insert or replace by key.
 */
export function importLayer(store: Store, layer: Layer, items: Iterable<SourceItem>, options: ImportOptions): ImportReport {
  const report: ImportReport = { read: 0, written: 0, invalid: [] };
  const serials = new Map<string, number>();
  const nextIds = new Map<string, number>();
  const context: RecordContext = {
    gridsAt: options.gridsAt,
    today: options.today,
    nextComponentSerial: (district, major, minor) => {
      const key = district + major + minor;
      const serial = serials.get(key) ?? store.nextComponentSerial(district, major, minor);
      serials.set(key, serial + 1);
      return serial;
    },
    nextId: (table) => {
      const id = nextIds.get(table) ?? store.nextId(table);
      nextIds.set(table, id + 1);
      return id;
    },
  };

  const run = store.db.transaction(() => {
    for (const item of items) {
      report.read++;
      if (item.error !== undefined) {
        report.invalid.push({ where: item.where, reason: item.error });
        continue;
      }
      try {
        const record = featureToRecord(layer, reproject(item.feature, options.toWgs84), context);
        // a savepoint per feature, so a feature that fails while writing leaves nothing behind
        store.transaction(() => write(store, layer, record));
        report.written++;
      } catch (error) {
        report.invalid.push({ where: item.where, reason: (error as Error).message });
      }
    }
    if (report.invalid.length > 0 && !options.skipInvalid) throw new ImportRejectedError(report);
  });
  run();
  return report;
}

function reproject(feature: Feature, toWgs84: PositionConverter): Feature {
  if (feature.geometry === null || typeof feature.geometry !== 'object') return feature;
  try {
    return { ...feature, geometry: rewindGeometry(transformGeometry(feature.geometry, toWgs84)) };
  } catch (error) {
    throw new Error(`geometry: ${(error as Error).message}`, { cause: error });
  }
}

function write(store: Store, layer: Layer, record: LayerRecordOf<Layer>): void {
  switch (layer) {
    case 'grids':
      store.addGridVersion(record as LayerRecordOf<'grids'>);
      return;
    case 'addresses': {
      const address = record as LayerRecordOf<'addresses'>;
      if (address.houseId !== null && store.getHouse(address.houseId) === null) {
        throw new Error(`house_id ${address.houseId} is not a house in the store; import the houses first`);
      }
      store.upsert('addresses', [address]);
      return;
    }
    default:
      store.upsert(layer as Exclude<Layer, 'grids'>, [record as never]);
  }
}
