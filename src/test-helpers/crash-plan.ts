/**
 * The sequence of changes the crash-safety test has a child process write (crash-writer.ts) and
 * then checks after killing it. Change k is one transaction whose effect can be read back from
 * the store alone, so the test can tell for every k whether it was applied:
 * - `import`: importLayer of `size` components tagged `data_source = crash-k` (all or none);
 * - `create`: one component through FeatureWriter, tagged `crash-k`;
 * - `patch`: FeatureWriter.patch of the component of create `target`: name `crash-k`, status 破损;
 * - `retire`: FeatureWriter.retire of that component on `dayOf(k)`;
 * - `redraw`: GridRedraw of the watched social grid (same boundary) valid from `dayOf(k)`.
 */
export type CrashChange =
  | { k: number; kind: 'import'; size: number }
  | { k: number; kind: 'create' }
  | { k: number; kind: 'patch'; target: number }
  | { k: number; kind: 'retire'; target: number }
  | { k: number; kind: 'redraw' };

/** The tag of change k's components. */
export function tagOf(k: number): string {
  return `crash-${k}`;
}

/** A distinct future day per change: retire dates and grid version starts. */
export function dayOf(k: number): string {
  return new Date(Date.UTC(2031, 0, 1) + k * 86_400_000).toISOString().slice(0, 10);
}

/** The name the child writes with (the change log's actor for API-style writes). */
export const CRASH_WRITER = 'crash-writer';

/**
 * Keeps changes 1..`applied` of `plan` and appends `count` new ones after them. Patches and
 * retirements target creates of the kept or new part, each create patched at most once and
 * retired at most once (after its patch, if any). `firstImportSize` makes the first new change
 * an import of that many components.
 */
export function extendPlan(plan: readonly CrashChange[], applied: number, count: number, random: () => number, firstImportSize?: number): CrashChange[] {
  const kept = plan.slice(0, applied);
  const patched = new Set<number>();
  const retired = new Set<number>();
  const creates: number[] = [];
  for (const change of kept) {
    if (change.kind === 'create') creates.push(change.k);
    if (change.kind === 'patch') patched.add(change.target);
    if (change.kind === 'retire') retired.add(change.target);
  }
  const next = [...kept];
  for (let k = applied + 1; k <= applied + count; k++) {
    if (k === applied + 1 && firstImportSize !== undefined) {
      next.push({ k, kind: 'import', size: firstImportSize });
      continue;
    }
    const roll = random();
    const patchable = creates.filter((t) => !patched.has(t) && !retired.has(t));
    const retirable = creates.filter((t) => !retired.has(t));
    if (roll < 0.35) {
      next.push({ k, kind: 'import', size: 10 + Math.floor(random() * 190) });
    } else if (roll < 0.65 || retirable.length === 0) {
      next.push({ k, kind: 'create' });
      creates.push(k);
    } else if (roll < 0.8 && patchable.length > 0) {
      const target = patchable[Math.floor(random() * patchable.length)]!;
      patched.add(target);
      next.push({ k, kind: 'patch', target });
    } else if (roll < 0.92) {
      const target = retirable[Math.floor(random() * retirable.length)]!;
      retired.add(target);
      next.push({ k, kind: 'retire', target });
    } else {
      next.push({ k, kind: 'redraw' });
    }
  }
  return next;
}
