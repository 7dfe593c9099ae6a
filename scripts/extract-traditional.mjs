// regenerates data/traditional-chars.json, the traditional → simplified character table that
// address normalisation reads, from the npm package opencc-js (Apache-2.0, Open Chinese
// Convert's dictionaries). Run once by hand:
//   npm install --no-save opencc-js@1.4.2 && node scripts/extract-traditional.mjs
// Only characters that convert both ways to each other are kept: 乾 (乾清门) would become 干
// one way and 干 becomes 幹 the other, so 乾 stays as written.
import { readFileSync, writeFileSync } from 'node:fs';
import * as OpenCC from 'opencc-js';

const version = JSON.parse(readFileSync(new URL('../node_modules/opencc-js/package.json', import.meta.url), 'utf8')).version;
const toSimplified = OpenCC.Converter({ from: 't', to: 'cn' });
const toTraditional = OpenCC.Converter({ from: 'cn', to: 't' });

let pairs = '';
for (let code = 0x3400; code <= 0x9fff; code++) {
  const t = String.fromCharCode(code);
  const s = toSimplified(t);
  if (s.length !== 1 || s === t || toTraditional(s) !== t) continue;
  pairs += t + s;
}
writeFileSync(
  new URL('../data/traditional-chars.json', import.meta.url),
  JSON.stringify({ source: `npm opencc-js@${version} (Apache-2.0), Open Chinese Convert character dictionaries; pairs that convert both ways`, pairs }) + '\n',
);
console.log(`${pairs.length / 2} pairs`);
