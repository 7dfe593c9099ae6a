// minimal typings for the peer libraries the bench calls (they ship none)
declare module 'which-polygon' {
  import type { FeatureCollection } from 'geojson';
  type Query = (point: [number, number]) => Record<string, unknown> | null;
  export default function whichPolygon(data: FeatureCollection): Query;
}

declare module 'autocannon' {
  interface Histogram {
    average: number;
    p50: number;
    p99: number;
    max: number;
  }
  export interface Result {
    requests: Histogram & { total: number };
    latency: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
    duration: number;
  }
  export interface Options {
    url: string;
    connections?: number;
    duration?: number;
    amount?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    requests?: { method?: string; path?: string; body?: string; setupRequest?: (request: { path: string }) => { path: string } }[];
  }
  export default function autocannon(options: Options): Promise<Result>;
}
