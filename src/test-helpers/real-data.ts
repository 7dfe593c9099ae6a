import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FeatureCollection } from 'geojson';

/** The third-party real-data folder `../shared/data/real/` beside the repo, or the folder named by the `WANGGE_REAL_DATA` environment variable when it is set (e.g. `WANGGE_REAL_DATA=/nonexistent` to make the real-data tests skip). */
export const REAL_DATA_DIR: URL = process.env.WANGGE_REAL_DATA
  ? pathToFileURL(process.env.WANGGE_REAL_DATA.replace(/\/*$/, '/'))
  : new URL('../../../shared/data/real/', import.meta.url);

/** Whether the real-data folder exists; real-data suites use `describe.skipIf(!hasRealData)`. */
export const hasRealData: boolean = existsSync(fileURLToPath(REAL_DATA_DIR));

/** Filesystem path of the file `name` inside the real-data folder. */
export function realDataPath(name: string): string {
  return fileURLToPath(new URL(name, REAL_DATA_DIR));
}

/** Parses the JSON file `name` from the real-data folder (a GeoJSON FeatureCollection unless `T` says otherwise). */
export function readRealData<T = FeatureCollection>(name: string): T {
  return JSON.parse(readFileSync(realDataPath(name), 'utf8')) as T;
}
