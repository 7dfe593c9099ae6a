// forward geocoding in-process, single thread: 100,000 noisy addresses of the default district
// (the same noise the accuracy test uses), addresses/s and the share placed on the right house.
import { ForwardGeocoder } from '../src/geocode/forward.js';
import { ReverseGeocoder } from '../src/geocode/reverse.js';
import { noisyAddresses } from '../src/geocode/test-helpers/address-noise.js';
import type { GeneratedDistrict } from '../src/ingest/generate/district.js';
import { median, timeRuns, type Row } from './lib/stats.js';

export function forwardBench(district: GeneratedDistrict, count = 100_000): Row[] {
  const geocoder = new ForwardGeocoder(district, new ReverseGeocoder(district.areas, district.grids));
  const queries = noisyAddresses(district, count, 2026);
  let right = 0;
  const ms = median(
    timeRuns(3, () => {
      right = 0;
      for (const q of queries) if (geocoder.geocode(q.text, { limit: 1 })[0]?.houseId === q.houseId) right++;
    }),
  );
  return [
    { group: 'forward', what: `wangge, ${count.toLocaleString('en')} noisy addresses (target ≥ 100,000)`, value: count / (ms / 1000), unit: 'addresses/s' },
    { group: 'forward', what: 'of them placed on the right house', value: (right / count) * 100, unit: '%' },
  ];
}
