// Prints the forward geocoder's calibration table (score band → share right) and the per-class
// accuracy on address variants as Markdown, for the README (issue 9):
//   npx tsx scripts/calibration-table.ts
import { loadGeocoders } from '../src/geocode/geocoders.js';
import { calibrationTable, classTable, measureVariants } from '../src/geocode/test-helpers/variant-accuracy.js';
import { openTestDistrict } from '../src/test-helpers/test-district.js';

const district = openTestDistrict('calibration', { readonly: true });
try {
  const { measurement } = measureVariants(district.store, loadGeocoders(district.store).forward);
  console.log(`${calibrationTable(measurement)}\n\n${classTable(measurement)}`);
} finally {
  district.remove();
}
