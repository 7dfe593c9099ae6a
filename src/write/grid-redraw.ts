import { decodeSocialGridCode, nextDynamicCode } from '../codes/index.js';
import { ConflictError, InvalidRequestError, NotFoundError } from '../errors.js';
import { geometryAreaM2 } from '../geo/area.js';
import { geometryBBox, type BBox } from '../geo/bbox.js';
import { pointInPolygon } from '../geo/pip.js';
import { rewindGeometry, validateGeometry } from '../geo/validate.js';
import { representativePoint } from '../ingest/layer-records.js';
import type { AreaGeometry, Grid, House } from '../model.js';
import type { Store } from '../store/store.js';
import type { Writer } from './feature-writer.js';
import { planRedraw, type RedrawInput, type RedrawPlan } from './redraw-plan.js';

/** A redraw as the API takes it (snake_case, as in docs/write-api.md). */
export interface RedrawRequest {
  geometry: unknown;
  valid_from?: string;
  name?: string;
  /** neighbours' new boundaries, where taking area from them is not enough (the grid shrinks) */
  neighbours?: { static_code: string; geometry: unknown }[];
}

/** A redraw's input to its plan, and what `apply` writes besides the shapes. */
export interface PreparedRedraw {
  input: RedrawInput;
  validFrom: string;
  name: string | undefined;
}

export interface RedrawResult {
  grid: Grid;
  neighbours: Grid[];
  /** records whose assigned grid changed */
  reassigned: { houses: number; components: number; addresses: number };
}

/**
 * Redraws a social grid's boundary: its current version is closed and a version with the next
 * dynamic code opens; neighbours the new boundary takes area from get new versions without it,
 * neighbours named in the request get the boundaries given (the shapes: redraw-plan.ts). The
 * writer's scope must hold the grid and every neighbour that changes (403). Houses are then
 * assigned to the grids they now stand in. Components and door plates hold no social grid, so
 * none is reassigned by a redraw.
 *
 * In three steps, so that the HTTP API plans on a worker thread (redraw-thread.ts): `prepare`
 * reads what the plan needs, the plan is computed, and `apply` writes it in one transaction if
 * none of the grids read has changed meanwhile (else 409: send it again). `redraw` does all three
 * in one transaction on this thread.
 */
export class GridRedraw {
  constructor(
    private readonly store: Store,
    private readonly today: () => string = () => new Date().toISOString().slice(0, 10),
  ) {}

  redraw(staticCode: string, request: RedrawRequest, by: Writer): RedrawResult {
    return this.store.transaction(() => {
      const prepared = this.prepare(staticCode, request, by);
      return this.apply(prepared, planRedraw(prepared.input), by);
    });
  }

  /** Checks the request and the writer's scope over the grid and the neighbours it names, and reads what the plan needs. */
  prepare(staticCode: string, request: RedrawRequest, by: Writer): PreparedRedraw {
    const parsed = decodeSocialGridCode(staticCode);
    if (parsed.dynamicCode !== null) throw new InvalidRequestError(`give the static code alone (${parsed.staticCode}), not a full code with a dynamic part`);
    const validFrom = request.valid_from ?? this.today();
    const current = this.store.getGrid('social', staticCode);
    if (!current) throw new NotFoundError(`no current social grid with static code ${staticCode}`);
    by.authorize({ unitGridCode: null, socialStaticCode: staticCode }, `redraw social grid ${staticCode}`);
    const boundary = areaGeometry(request.geometry, 'geometry');
    const named: RedrawInput['named'] = [];
    for (const [i, n] of (request.neighbours ?? []).entries()) {
      const grid = n.static_code === staticCode ? null : this.store.getGrid('social', n.static_code);
      if (grid === null) throw new InvalidRequestError(`neighbours[${i}].static_code ${n.static_code} is not a current social grid`);
      by.authorize({ unitGridCode: null, socialStaticCode: grid.code }, `change neighbouring social grid ${grid.code}`);
      named.push({ grid, geometry: areaGeometry(n.geometry, `neighbours[${i}].geometry`) });
    }
    const nearby = this.store.gridsMeeting('social', geometryBBox(boundary)).filter((g) => g.code !== staticCode);
    const communities: RedrawInput['communities'] = {};
    for (const grid of [current, ...named.map((n) => n.grid)]) {
      const community = this.store.getArea(grid.communityCode);
      if (community) communities[community.code] = { name: community.name, geometry: community.geometry };
    }
    return { input: { current, boundary, named, nearby, communities }, validFrom, name: request.name };
  }

  /** Writes a planned redraw in one transaction: 409 when a grid it read has a new version since. */
  apply({ input, validFrom, name }: PreparedRedraw, plan: RedrawPlan, by: Writer): RedrawResult {
    return this.store.transaction(() => {
      for (const read of [input.current, ...input.named.map((n) => n.grid), ...input.nearby]) {
        if (this.store.currentDynamicCode(read.code) !== read.dynamicCode) {
          throw new ConflictError(`social grid ${read.code} got a new version while this redraw was being planned; send the redraw again`);
        }
      }
      for (const { grid, taken } of plan.changed) {
        if (taken !== null) by.authorize({ unitGridCode: null, socialStaticCode: grid.code }, `change neighbouring social grid ${grid.code}, which the new boundary takes ${taken} from`);
      }
      const year = Number(validFrom.slice(0, 4));
      const version = (old: Grid, geometry: AreaGeometry, newName = old.name): Grid => ({
        ...old,
        name: newName,
        geometry,
        areaM2: geometryAreaM2(geometry),
        dynamicCode: nextDynamicCode(old.dynamicCode!, year),
        validFrom,
        validTo: null,
      });
      const grid = version(input.current, plan.shape, name ?? input.current.name);
      this.store.addGridVersion(grid, { actor: by.name });
      const neighbours = plan.changed.map((c) => {
        const next = version(c.grid, c.geometry);
        this.store.addGridVersion(next, { actor: by.name });
        return next;
      });
      const houses = this.reassignHouses([grid, ...neighbours], [input.current, ...plan.changed.map((c) => c.grid)], plan.changedBox, by);
      return { grid, neighbours, reassigned: { houses, components: 0, addresses: 0 } };
    });
  }

  /**
   * Puts the houses of the changed grids into the grid they now stand in; returns how many moved.
   * Only houses in the box where old and new shapes differ can have moved (the plan's `changedBox`).
   * pip.ts's half-open edge rule is the one the reverse geocoder decides by, so a house on a shared
   * edge lands in the grid `/v1/reverse` names for its point.
   */
  private reassignHouses(newVersions: Grid[], oldVersions: Grid[], box: BBox | null, by: Writer): number {
    if (box === null) return 0;
    const social = newVersions.filter((g) => g.scheme === 'social');
    const moved: House[] = [];
    for (const house of this.store.houseFootprintsInSocialGrids(oldVersions.map((g) => g.code), box)) {
      const [lng, lat] = representativePoint(house.geometry);
      const now = social.find((g) => pointInPolygon(lng!, lat!, g.geometry))?.code ?? house.socialStaticCode;
      if (now !== house.socialStaticCode) moved.push({ ...this.store.getHouse(house.id)!, socialStaticCode: now });
    }
    if (moved.length > 0) this.store.upsert('houses', moved, { actor: by.name });
    return moved.length;
  }
}

function areaGeometry(value: unknown, where: string): AreaGeometry {
  const problems = validateGeometry(value, { expect: ['Polygon', 'MultiPolygon'] });
  if (problems.length > 0) throw new InvalidRequestError(`${where}: ${problems.slice(0, 3).join('; ')}`);
  return rewindGeometry(value as AreaGeometry);
}
