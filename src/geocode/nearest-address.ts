import KDBush from 'kdbush';
import type { Address } from '../model.js';

const EARTH_RADIUS_M = 6371008.8;
const RAD = Math.PI / 180;

/** Great-circle distance in metres (haversine). */
export function distanceM(lng1: number, lat1: number, lng2: number, lat2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLng = (lng2 - lng1) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The nearest door plate to a point: a kdbush index over the plates' lng/lat, queried with a
 * box a little larger than the radius in degrees, then exact haversine distances.
 */
export class NearestAddress {
  private readonly index: KDBush | null;
  private readonly addresses: readonly Address[];

  constructor(addresses: readonly Address[]) {
    this.addresses = addresses;
    if (addresses.length === 0) {
      this.index = null;
      return;
    }
    const index = new KDBush(addresses.length);
    for (const a of addresses) index.add(a.geometry.coordinates[0]!, a.geometry.coordinates[1]!);
    index.finish();
    this.index = index;
  }

  /** The nearest plate within `maxDistanceM`, with its distance, or null. */
  find(lng: number, lat: number, maxDistanceM: number): { address: Address; distanceM: number } | null {
    if (this.index === null) return null;
    const dLat = (maxDistanceM / (EARTH_RADIUS_M * RAD)) * 1.01;
    const dLng = dLat / Math.max(Math.cos(Math.min(89, Math.abs(lat)) * RAD), 1e-6);
    let best: { address: Address; distanceM: number } | null = null;
    for (const k of this.index.range(lng - dLng, lat - dLat, lng + dLng, lat + dLat)) {
      const address = this.addresses[k]!;
      const [x, y] = address.geometry.coordinates as [number, number];
      const d = distanceM(lng, lat, x, y);
      if (d <= maxDistanceM && (best === null || d < best.distanceM || (d === best.distanceM && address.id < best.address.id))) {
        best = { address, distanceM: d };
      }
    }
    return best;
  }
}
