/**
 * Splits a connected graph into connected regions of roughly given sizes: each region grows
 * from its seed one node at a time, the region furthest below its target first, taking the
 * frontier node nearest its seed. Connectivity holds because a node only joins a region it touches.
 * Returns the region index of every node, -1 for nodes no seed can reach.
 */
export function growRegions(
  nodeCount: number,
  neighbours: (node: number) => readonly number[],
  seeds: readonly number[],
  targets: readonly number[],
  distanceToSeed: (region: number, node: number) => number,
): Int32Array {
  const owner = new Int32Array(nodeCount).fill(-1);
  const sizes = seeds.map(() => 0);
  const frontiers = seeds.map(() => new MinHeap());
  const claim = (region: number, node: number): void => {
    owner[node] = region;
    sizes[region]!++;
    for (const n of neighbours(node)) if (owner[n] === -1) frontiers[region]!.push(n, distanceToSeed(region, n));
  };
  seeds.forEach((seed, region) => {
    if (owner[seed] !== -1) throw new Error(`two regions share seed node ${seed}`);
    claim(region, seed);
  });
  for (;;) {
    let best = -1;
    let bestFill = Infinity;
    for (let r = 0; r < seeds.length; r++) {
      const frontier = frontiers[r]!;
      while (frontier.size > 0 && owner[frontier.peek()] !== -1) frontier.pop();
      const fill = sizes[r]! / targets[r]!;
      if (frontier.size > 0 && fill < bestFill) {
        bestFill = fill;
        best = r;
      }
    }
    if (best < 0) return owner;
    claim(best, frontiers[best]!.pop());
  }
}

/** Picks `count` spread-out seeds: the node nearest `start`, then repeatedly the node farthest from all chosen. */
export function farthestPointSeeds(
  nodes: readonly number[],
  count: number,
  point: (node: number) => [number, number],
): number[] {
  if (count > nodes.length) throw new Error(`cannot pick ${count} seeds from ${nodes.length} nodes`);
  const xs = nodes.map((n) => point(n)[0]);
  const ys = nodes.map((n) => point(n)[1]);
  const cx = xs.reduce((a, b) => a + b, 0) / nodes.length;
  const cy = ys.reduce((a, b) => a + b, 0) / nodes.length;
  const nearest = new Float64Array(nodes.length).fill(Infinity);
  const chosen: number[] = [];
  // the first seed is the node farthest from the centroid, so seeds hug the edges less than k-means would
  let next = argMax(nodes.map((_, k) => (xs[k]! - cx) ** 2 + (ys[k]! - cy) ** 2));
  while (chosen.length < count) {
    chosen.push(nodes[next]!);
    for (let k = 0; k < nodes.length; k++) {
      const d = (xs[k]! - xs[next]!) ** 2 + (ys[k]! - ys[next]!) ** 2;
      if (d < nearest[k]!) nearest[k] = d;
    }
    next = argMax(Array.from(nearest));
  }
  return chosen;
}

function argMax(values: readonly number[]): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k]! > values[best]!) best = k;
  return best;
}

/** A binary min-heap of node ids keyed by priority; ties break on insertion order for determinism. */
class MinHeap {
  private readonly items: { node: number; key: number; order: number }[] = [];
  private counter = 0;

  get size(): number {
    return this.items.length;
  }

  peek(): number {
    return this.items[0]!.node;
  }

  push(node: number, key: number): void {
    const items = this.items;
    items.push({ node, key, order: this.counter++ });
    let k = items.length - 1;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (!this.less(k, parent)) break;
      [items[k], items[parent]] = [items[parent]!, items[k]!];
      k = parent;
    }
  }

  pop(): number {
    const items = this.items;
    const top = items[0]!.node;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let k = 0;
      for (;;) {
        const l = 2 * k + 1;
        const r = l + 1;
        let m = k;
        if (l < items.length && this.less(l, m)) m = l;
        if (r < items.length && this.less(r, m)) m = r;
        if (m === k) break;
        [items[k], items[m]] = [items[m]!, items[k]!];
        k = m;
      }
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    const x = this.items[a]!;
    const y = this.items[b]!;
    return x.key < y.key || (x.key === y.key && x.order < y.order);
  }
}
