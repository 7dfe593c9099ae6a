import type { Position } from 'geojson';

// GCJ-02 ("Mars" coordinates) as published: a smooth obfuscation offset computed on the Krasovsky 1940
// ellipsoid. It is not a datum shift, so conversions are only as good as the formula (~1–2 m against true WGS84).
const KRASOVSKY_A = 6378245;
const KRASOVSKY_EE = 0.00669342162296594323;
// BD-09 (Baidu) adds a polar-coordinate wobble on top of GCJ-02
const BD_X_PI = (Math.PI * 3000) / 180;
const BD_DLNG = 0.0065;
const BD_DLAT = 0.006;

// the inverse is a fixed-point iteration; the offset changes by < 1 % of a step per step, so a few rounds reach 1e-12°
const INVERSE_TOLERANCE_DEG = 1e-12;
const INVERSE_MAX_ROUNDS = 30;

/**
 * True when the published GCJ-02 formula applies: the usual rough box around China (72.004–137.8347°E,
 * 0.8293–55.8271°N). Outside it GCJ-02 equals WGS84; the box also covers neighbours' land and sea, as the formula does.
 */
export function isInChinaBox(lng: number, lat: number): boolean {
  return lng >= 72.004 && lng <= 137.8347 && lat >= 0.8293 && lat <= 55.8271;
}

/** WGS84 → GCJ-02; identity outside the China box (see `isInChinaBox`). */
export function wgs84ToGcj02(p: Position): Position {
  const lng = p[0]!;
  const lat = p[1]!;
  if (!isInChinaBox(lng, lat)) return withRest(lng, lat, p);
  return withRest(lng + gcjOffsetLng(lng, lat), lat + gcjOffsetLat(lng, lat), p);
}

/**
 * GCJ-02 → WGS84 by iterating the forward formula until the round trip is within 1e-12°
 * (not the common one-step approximation, which is off by up to ~5 m); identity outside the China box.
 */
export function gcj02ToWgs84(p: Position): Position {
  const gLng = p[0]!;
  const gLat = p[1]!;
  if (!isInChinaBox(gLng, gLat)) return withRest(gLng, gLat, p);
  let lng = gLng;
  let lat = gLat;
  for (let round = 0; round < INVERSE_MAX_ROUNDS; round++) {
    // the forward formula is identity outside the box, so keep the estimate's offset even if it strays over the edge
    const dLng = gLng - (lng + gcjOffsetLng(lng, lat));
    const dLat = gLat - (lat + gcjOffsetLat(lng, lat));
    lng += dLng;
    lat += dLat;
    if (Math.abs(dLng) < INVERSE_TOLERANCE_DEG && Math.abs(dLat) < INVERSE_TOLERANCE_DEG) break;
  }
  return withRest(lng, lat, p);
}

/** GCJ-02 → BD-09 (Baidu); applied everywhere, as Baidu's formula has no China box. */
export function gcj02ToBd09(p: Position): Position {
  const [lng, lat] = bdForward(p[0]!, p[1]!);
  return withRest(lng, lat, p);
}

/**
 * BD-09 → GCJ-02: the usual closed-form inverse, then refined by iteration so that
 * `gcj02ToBd09(bd09ToGcj02(p))` returns `p` within 1e-12° (the closed form alone is off by ~4e-7°, a few cm).
 */
export function bd09ToGcj02(p: Position): Position {
  const bLng = p[0]!;
  const bLat = p[1]!;
  const x = bLng - BD_DLNG;
  const y = bLat - BD_DLAT;
  const z = Math.sqrt(x * x + y * y) - 0.00002 * Math.sin(y * BD_X_PI);
  const theta = Math.atan2(y, x) - 0.000003 * Math.cos(x * BD_X_PI);
  let lng = z * Math.cos(theta);
  let lat = z * Math.sin(theta);
  for (let round = 0; round < INVERSE_MAX_ROUNDS; round++) {
    const [fLng, fLat] = bdForward(lng, lat);
    const dLng = bLng - fLng;
    const dLat = bLat - fLat;
    lng += dLng;
    lat += dLat;
    if (Math.abs(dLng) < INVERSE_TOLERANCE_DEG && Math.abs(dLat) < INVERSE_TOLERANCE_DEG) break;
  }
  return withRest(lng, lat, p);
}

/** WGS84 → BD-09 (through GCJ-02). */
export function wgs84ToBd09(p: Position): Position {
  return gcj02ToBd09(wgs84ToGcj02(p));
}

/** BD-09 → WGS84 (through GCJ-02). */
export function bd09ToWgs84(p: Position): Position {
  return gcj02ToWgs84(bd09ToGcj02(p));
}

function bdForward(lng: number, lat: number): [number, number] {
  const z = Math.sqrt(lng * lng + lat * lat) + 0.00002 * Math.sin(lat * BD_X_PI);
  const theta = Math.atan2(lat, lng) + 0.000003 * Math.cos(lng * BD_X_PI);
  return [z * Math.cos(theta) + BD_DLNG, z * Math.sin(theta) + BD_DLAT];
}

// the formula's two "noise" polynomials work on offsets from 105°E, 35°N and return metres on the Krasovsky ellipsoid
function gcjOffsetLat(lng: number, lat: number): number {
  const x = lng - 105;
  const y = lat - 35;
  let m = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  m += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  m += ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3;
  m += ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30)) * 2) / 3;
  const radLat = (lat / 180) * Math.PI;
  const w = 1 - KRASOVSKY_EE * Math.sin(radLat) ** 2;
  // metres → degrees of latitude via the meridian radius of curvature
  return (m * 180) / (((KRASOVSKY_A * (1 - KRASOVSKY_EE)) / (w * Math.sqrt(w))) * Math.PI);
}

function gcjOffsetLng(lng: number, lat: number): number {
  const x = lng - 105;
  const y = lat - 35;
  let m = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  m += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  m += ((20 * Math.sin(x * Math.PI) + 40 * Math.sin((x / 3) * Math.PI)) * 2) / 3;
  m += ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3;
  const radLat = (lat / 180) * Math.PI;
  const w = 1 - KRASOVSKY_EE * Math.sin(radLat) ** 2;
  // metres → degrees of longitude via the prime-vertical radius of curvature on this parallel
  return (m * 180) / ((KRASOVSKY_A / Math.sqrt(w)) * Math.cos(radLat) * Math.PI);
}

// keeps an altitude (or any further ordinate) untouched
function withRest(lng: number, lat: number, p: Position): Position {
  return p.length > 2 ? [lng, lat, ...p.slice(2)] : [lng, lat];
}
