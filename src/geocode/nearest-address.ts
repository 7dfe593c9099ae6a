import KDBush from 'kdbush';
import { boxAround, distanceM } from '../geo/distance.js';
import type { Address } from '../model.js';

/** Side of the cells changed plates are hashed into: ~110 m north–south, so a 50 m search reads at most four. */
const CELL_DEG = 0.001;

/**
 * The nearest door plate to a point: a kdbush index over the plates' lng/lat, queried with a
 * box a little larger than the radius in degrees, then exact haversine distances.
 * Plates written since the index was built change it in place (`put`): the old position is
 * masked out of the tree and the plate goes into a hash of small cells beside it, so a write
 * costs microseconds and the tree is never rebuilt while the server runs.
 */
export class NearestAddress {
  private readonly index: KDBush | null;
  private readonly addresses: readonly Address[];
  private readonly slotOf = new Map<number, number>();
  /** tree positions replaced or removed since the build */
  private readonly masked = new Set<number>();
  /** plates put since the build, by id and by cell */
  private readonly changed = new Map<number, Address>();
  private readonly cells = new Map<string, Address[]>();

  constructor(addresses: readonly Address[]) {
    this.addresses = addresses;
    for (const [k, a] of addresses.entries()) this.slotOf.set(a.id, k);
    if (addresses.length === 0) {
      this.index = null;
      return;
    }
    const index = new KDBush(addresses.length);
    for (const a of addresses) index.add(a.geometry.coordinates[0]!, a.geometry.coordinates[1]!);
    index.finish();
    this.index = index;
  }

  /** Puts a plate under its id, or removes the id (`address` null, or a retired plate). */
  put(id: number, address: Address | null): void {
    const slot = this.slotOf.get(id);
    if (slot !== undefined) this.masked.add(slot);
    const old = this.changed.get(id);
    if (old) {
      const key = cellKey(...(old.geometry.coordinates as [number, number]));
      const list = this.cells.get(key)!.filter((a) => a.id !== id);
      if (list.length === 0) this.cells.delete(key);
      else this.cells.set(key, list);
      this.changed.delete(id);
    }
    if (address === null || address.status === '废弃') return;
    this.changed.set(id, address);
    const key = cellKey(...(address.geometry.coordinates as [number, number]));
    const list = this.cells.get(key);
    if (list) list.push(address);
    else this.cells.set(key, [address]);
  }

  /** The nearest plate within `maxDistanceM`, with its distance, or null. */
  find(lng: number, lat: number, maxDistanceM: number): { address: Address; distanceM: number } | null {
    const box = boxAround(lng, lat, maxDistanceM);
    let best: { address: Address; distanceM: number } | null = null;
    const consider = (address: Address): void => {
      const [x, y] = address.geometry.coordinates as [number, number];
      const d = distanceM(lng, lat, x, y);
      if (d <= maxDistanceM && (best === null || d < best.distanceM || (d === best.distanceM && address.id < best.address.id))) {
        best = { address, distanceM: d };
      }
    };
    if (this.index !== null) {
      for (const k of this.index.range(box.minX, box.minY, box.maxX, box.maxY)) if (!this.masked.has(k)) consider(this.addresses[k]!);
    }
    if (this.cells.size > 0) {
      for (let i = Math.floor(box.minX / CELL_DEG); i <= Math.floor(box.maxX / CELL_DEG); i++) {
        for (let j = Math.floor(box.minY / CELL_DEG); j <= Math.floor(box.maxY / CELL_DEG); j++) {
          for (const address of this.cells.get(`${i},${j}`) ?? []) consider(address);
        }
      }
    }
    return best;
  }
}

function cellKey(lng: number, lat: number): string {
  return `${Math.floor(lng / CELL_DEG)},${Math.floor(lat / CELL_DEG)}`;
}
