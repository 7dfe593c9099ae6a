import type { MiddlewareHandler } from 'hono';
import { TooLargeError } from '../errors.js';
import { countVertices } from '../geo/vertex-count.js';

/**
 * Largest body a write may send: four geometries of `maxVertices` positions (a grid redraw and
 * three neighbours) at 128 bytes a position, pretty-printed, plus 64 KiB of properties. A larger
 * body is refused (413) before it is parsed at all.
 */
export function writeBodyBytes(maxVertices: number): number {
  return 64 * 1024 + maxVertices * 4 * 128;
}

/**
 * Middleware for the write endpoints (POST and PATCH): refuses (413) a JSON body any of whose
 * geometries has more than `maxVertices` positions, before the schema check, the geometry checks
 * and the write spend time on it (issue 12: a 300,000-vertex house held the event loop 2.3 s). A
 * body that is not JSON goes on, for `validated` to refuse.
 */
export function vertexLimit(maxVertices: number): MiddlewareHandler {
  return async function vertexLimitCheck(c, next) {
    if (c.req.method !== 'POST' && c.req.method !== 'PATCH') return next();
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return next();
    }
    for (const { label, geometry } of geometriesIn(body)) {
      if (countVertices(geometry, maxVertices) <= maxVertices) continue;
      throw new TooLargeError(
        `${label} has ${countVertices(geometry).toLocaleString('en')} vertices; this server takes at most ${maxVertices.toLocaleString('en')} per feature — simplify it`,
      );
    }
    await next();
  };
}

/** How deep geometries lie in write bodies: `body neighbours[1].geometry` is at depth 3. */
const GEOMETRY_DEPTH = 3;

/** The geometries in a body (objects with a `type` and `coordinates` or `geometries`), named by their path: `body neighbours[1].geometry`. */
function geometriesIn(body: unknown): { label: string; geometry: object }[] {
  const found: { label: string; geometry: object }[] = [];
  const stack: [unknown, string, number][] = [[body, 'body', 0]];
  while (stack.length > 0) {
    const [value, label, depth] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    const { type, coordinates, geometries } = value as Record<string, unknown>;
    if (!Array.isArray(value) && typeof type === 'string' && (coordinates !== undefined || geometries !== undefined)) {
      found.push({ label, geometry: value });
      continue;
    }
    // deeper than any geometry of a write body: the schema check refuses what is there
    if (depth === GEOMETRY_DEPTH) continue;
    const members = Array.isArray(value) ? value.map((item, k) => [`${label}[${k}]`, item] as const) : Object.entries(value).map(([name, member]) => [label === 'body' ? `body ${name}` : `${label}.${name}`, member] as const);
    for (const [name, member] of members) stack.push([member, name, depth + 1]);
  }
  return found;
}
