import { buildDistrictDatabase } from '../src/store/build-district.js';
const t = Date.now();
const counts = buildDistrictDatabase(process.argv[2] ?? '/tmp/w.db', { scale: Number(process.argv[3] ?? 1), onProgress: console.log });
console.log(counts, (Date.now() - t) / 1000, 's', process.memoryUsage().rss / 1e6);
