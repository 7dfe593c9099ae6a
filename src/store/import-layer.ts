import type { Feature, Geometry } from 'geojson';
import { InvalidRequestError } from '../errors.js';
import { transformGeometry, type PositionConverter } from '../geo/crs.js';
import { rewindGeometry } from '../geo/validate.js';
import { featureToRecord, recordKey, type LayerRecordOf, type RecordContext } from '../ingest/layer-records.js';
import type { SourceItem } from '../ingest/read-features.js';
import type { Layer } from '../model.js';
import { ioFailureOf } from './io-failure.js';
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
  // asked of the store each time: features written earlier in this transaction, with their own
  // ids or codes, are visible to it, so an assigned key never lands on one of them
  const context: RecordContext = {
    gridsAt: options.gridsAt,
    today: options.today,
    nextComponentSerial: (district, major, minor) => store.nextComponentSerial(district, major, minor),
    nextId: (table) => store.nextId(table),
  };
  // a key written twice by one file would silently replace its first feature
  const written = new Map<string | number, string>();

  // IMMEDIATE (store.transaction): the write lock is taken before the first feature is read, so a
  // writer elsewhere makes this wait or fail as a whole (BusyError), never feature by feature
  store.transaction(() => {
    for (const item of items) {
      report.read++;
      if (item.error !== undefined) {
        report.invalid.push({ where: item.where, reason: item.error });
        continue;
      }
      try {
        const record = featureToRecord(layer, reproject(item.feature, options.toWgs84), context);
        const key = recordKey(layer, record);
        if (key !== null) {
          const first = written.get(key);
          if (first !== undefined) throw new Error(`${typeof key === 'string' ? 'code' : 'id'} ${key} appears twice in this import (first at ${first})`);
          written.set(key, item.where);
        }
        // a savepoint per feature, so a feature that fails while writing leaves nothing behind
        store.transaction(() => write(store, layer, record));
        report.written++;
      } catch (error) {
        // a full or failing disk or a lock is no fault of the feature: the import stops, writing nothing
        const failure = ioFailureOf(error);
        if (failure) throw failure;
        report.invalid.push({ where: item.where, reason: (error as Error).message });
      }
    }
    if (report.invalid.length > 0 && !options.skipInvalid) throw new ImportRejectedError(report);
  });
  return report;
}

function reproject(feature: Feature<Geometry | null>, toWgs84: PositionConverter): Feature<Geometry | null> {
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
