import type { Feature, Geometry } from 'geojson';
import { scopeArea } from '../auth/scope-area.js';
import { requireScope, type Place, type ScopedKey } from '../auth/scope.js';
import { AppError, ConflictError, InvalidRequestError, NotFoundError } from '../errors.js';
import { clipped } from '../geo/clipping-failure.js';
import { describePart, partOutside } from '../geo/part-outside.js';
import { featureToRecord, recordToFeature, representativePoint, type RecordContext } from '../ingest/layer-records.js';
import type { Address, Component, House } from '../model.js';
import type { Store } from '../store/store.js';
import { beyondTolerance } from './tolerance.js';

/** The layers the write API edits feature by feature. */
export type WritableLayer = 'components' | 'houses' | 'addresses';
export type WritableRecord<L extends WritableLayer> = L extends 'components' ? Component : L extends 'houses' ? House : Address;

/** Who writes: the key's name goes into the change log; `authorize` throws ForbiddenError when the place is outside its scope. */
export interface Writer {
  name: string;
  /** the key's scope (auth/scope.ts): lines and polygons are measured against its area */
  scope: string;
  authorize(place: Place, what: string): void;
}

/** The writer an API key acts as. */
export function writerFor(key: ScopedKey): Writer {
  return { name: key.name, scope: key.scope, authorize: (place, what) => requireScope(key, place, what) };
}

export interface PatchBody {
  properties?: Record<string, unknown>;
  geometry?: Geometry;
}

/** Properties a client may never set: keys, the class, and what the writer assigns. */
const FIXED: Readonly<Record<WritableLayer, readonly string[]>> = {
  components: ['code', 'major', 'minor', 'unit_grid_code', 'change_date'],
  houses: ['id', 'unit_grid_code', 'social_static_code', 'status', 'retired_on'],
  addresses: ['id', 'status', 'retired_on'],
};
const FIXED_ON_CREATE: Readonly<Record<WritableLayer, readonly string[]>> = {
  components: ['code', 'unit_grid_code', 'change_date'],
  houses: ['id', 'unit_grid_code', 'social_static_code', 'status', 'retired_on'],
  addresses: ['id', 'status', 'retired_on'],
};

const NOUN: Readonly<Record<WritableLayer, string>> = { components: 'component', houses: 'house', addresses: 'address' };

/**
 * Creates, edits and retires components, houses and door plates for the write API: each change
 * is validated as an import would validate it, checked against the writer's scope where the
 * feature lies before and after (a line or polygon all of it, up to rounding), and written in one
 * transaction with the writer's name in the change log. A component's code takes its district
 * from where it lies; a door plate links only to a house the writer may change. Nothing is ever
 * deleted: retiring sets status 废弃 and the day.
 */
export class FeatureWriter {
  constructor(
    private readonly store: Store,
    /** the current unit grid and social grid at a point */
    private readonly gridsAt: RecordContext['gridsAt'],
    private readonly today: () => string = () => new Date().toISOString().slice(0, 10),
  ) {}

  create<L extends WritableLayer>(layer: L, feature: Feature, by: Writer): WritableRecord<L> {
    refuseFixed(layer, feature.properties ?? {}, FIXED_ON_CREATE[layer]);
    return this.store.transaction(() => {
      const record = this.toRecord(layer, feature);
      if (layer === 'components') checkDistrict(record as Component);
      by.authorize(this.placeOf(layer, record, by), `create this ${NOUN[layer]}`);
      if (layer === 'addresses') this.checkHouse(record as Address, null, by);
      this.store.upsert(layer, [record] as never, { actor: by.name });
      return record;
    });
  }

  patch<L extends WritableLayer>(layer: L, key: string | number, patch: PatchBody, by: Writer): WritableRecord<L> {
    refuseFixed(layer, patch.properties ?? {}, FIXED[layer]);
    if (patch.properties?.status === '废弃') throw new InvalidRequestError(`a ${NOUN[layer]} is retired with DELETE, which records the day`);
    return this.store.transaction(() => {
      const before = this.current(layer, key);
      by.authorize(this.placeOf(layer, before, by), `change ${NOUN[layer]} ${key}`);
      if (isRetired(layer, before)) throw new ConflictError(`${NOUN[layer]} ${key} is retired (废弃); it cannot be changed`);
      const { properties } = recordToFeature(layer, before);
      const merged: Record<string, unknown> = { ...properties, ...patch.properties };
      // grids are assigned again from the (possibly moved) geometry
      delete merged.unit_grid_code;
      delete merged.social_static_code;
      if (layer === 'components') merged.change_date = this.today();
      const geometry = patch.geometry ?? before.geometry;
      const after = this.toRecord(layer, { type: 'Feature', geometry, properties: merged });
      by.authorize(this.placeOf(layer, after, by), `move ${NOUN[layer]} ${key} there`);
      if (layer === 'addresses') this.checkHouse(after as Address, (before as Address).houseId, by);
      this.store.upsert(layer, [after] as never, { actor: by.name, op: 'update' });
      return after;
    });
  }

  /** Sets status 废弃 and the day (default today); 409 when already retired. */
  retire<L extends WritableLayer>(layer: L, key: string | number, date: string | undefined, by: Writer): WritableRecord<L> {
    return this.store.transaction(() => {
      const before = this.current(layer, key);
      by.authorize(this.placeOf(layer, before, by), `retire ${NOUN[layer]} ${key}`);
      if (isRetired(layer, before)) throw new ConflictError(`${NOUN[layer]} ${key} is already retired (废弃)`);
      const day = date ?? this.today();
      const after = (layer === 'components' ? { ...before, status: '废弃', changeDate: day } : { ...before, status: '废弃', retiredOn: day }) as WritableRecord<L>;
      this.store.upsert(layer, [after] as never, { actor: by.name, op: 'retire' });
      return after;
    });
  }

  /** The stored record, or NotFoundError. */
  current<L extends WritableLayer>(layer: L, key: string | number): WritableRecord<L> {
    const found =
      layer === 'components'
        ? this.store.getComponent(String(key))
        : layer === 'houses'
          ? this.store.getHouse(Number(key))
          : this.store.getAddress(Number(key));
    if (!found) throw new NotFoundError(`no ${NOUN[layer]} ${layer === 'components' ? 'with code' : 'with id'} ${key}`);
    return found as WritableRecord<L>;
  }

  /**
   * Where a record lies for the writer's scope: its assigned grids, else those at its
   * representative point, and for a line or polygon what of it lies beyond the scope's area.
   */
  private placeOf(layer: WritableLayer, record: WritableRecord<WritableLayer>, by: Writer): Place {
    const [lng, lat] = representativePoint(record.geometry);
    const here = this.gridsAt(lng!, lat!);
    const outside = this.outsideScope(record.geometry, by.scope);
    if (layer === 'houses') {
      const house = record as House;
      return { unitGridCode: house.unitGridCode ?? here.unitGridCode, socialStaticCode: house.socialStaticCode ?? here.socialStaticCode, outside };
    }
    if (layer === 'components') return { unitGridCode: (record as Component).unitGridCode ?? here.unitGridCode, socialStaticCode: here.socialStaticCode, outside };
    return here;
  }

  /** The part of a line or polygon beyond the scope's area and the rounding tolerance, described; null for a point or none. */
  private outsideScope(geometry: Geometry, scope: string): string | null {
    if (geometry.type !== 'LineString' && geometry.type !== 'Polygon') return null;
    const area = scopeArea(this.store, scope);
    // a scope no longer stored holds no grid either, so the grid check refuses the write
    if (area === null) return null;
    const part = clipped('the geometry', () => partOutside(geometry, area));
    return beyondTolerance(part) ? describePart(part) : null;
  }

  /** The record a feature makes, checked as an import checks it; what is wrong with it is the client's to fix (400). */
  private toRecord<L extends WritableLayer>(layer: L, feature: Feature): WritableRecord<L> {
    try {
      return featureToRecord(layer, feature, this.context()) as WritableRecord<L>;
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new InvalidRequestError((error as Error).message, { cause: error });
    }
  }

  /** A door plate links to a stored house the writer may change; a link kept from before is not judged again. */
  private checkHouse(address: Address, linkedBefore: number | null, by: Writer): void {
    if (address.houseId === null || address.houseId === linkedBefore) return;
    const house = this.store.getHouse(address.houseId);
    if (house === null) throw new InvalidRequestError(`house_id ${address.houseId} is not a house in the store`);
    by.authorize(this.placeOf('houses', house, by), `link a door plate to house ${house.id}, which it may not change`);
  }

  private context(): RecordContext {
    return {
      gridsAt: this.gridsAt,
      today: this.today(),
      nextComponentSerial: (district, major, minor) => this.store.nextComponentSerial(district, major, minor),
      nextId: (table) => this.store.nextId(table),
    };
  }
}

/** A component's code is numbered in the district it lies in; a client's district_code may only agree (issue 12). */
function checkDistrict(component: Component): void {
  const district = component.unitGridCode?.slice(0, 6);
  if (district !== undefined && !component.code.startsWith(district)) {
    throw new InvalidRequestError(
      `district_code ${component.code.slice(0, 6)} is not the district the component lies in (${district}, from unit grid ${component.unitGridCode}): its code takes the district from its place; leave district_code out`,
    );
  }
}

function isRetired(layer: WritableLayer, record: WritableRecord<WritableLayer>): boolean {
  return layer === 'components' ? (record as Component).status === '废弃' : (record as House | Address).status === '废弃';
}

function refuseFixed(layer: WritableLayer, properties: Record<string, unknown>, fixed: readonly string[]): void {
  const given = fixed.filter((name) => Object.hasOwn(properties, name));
  if (given.length > 0) {
    throw new InvalidRequestError(`${given.join(', ')} of a ${NOUN[layer]} cannot be set by a write: wangge assigns ${given.length > 1 ? 'them' : 'it'}`);
  }
}
