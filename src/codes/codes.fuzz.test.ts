import { fc, test } from '@fast-check/vitest';
import assert from 'node:assert/strict';
import { afterAll, describe, it } from 'vitest';
import { anyText, fuzzRuns, fuzzTimeoutMs, hostileAround, hostileString, mutated, numericString } from '../test-helpers/fuzz.js';
import {
  CodeError,
  decodeAdminCode,
  decodeComponentCode,
  decodeDynamicCode,
  decodeSocialGridCode,
  decodeUnitGridCode,
  encodeCommunityCode,
  encodeComponentCode,
  encodeDynamicCode,
  encodeSocialStaticCode,
  encodeStreetCode,
  encodeUnitGridCode,
  extendComponentClasses,
  findComponentClass,
  formatSocialGridCode,
  loadComponentClasses,
  nextDynamicCode,
  parseGridCode,
  townshipKindOf,
  validateAdminCode,
  validateComponentCode,
  validateGridCode,
  validateSocialGridCode,
  validateUnitGridCode,
} from './index.js';
import type { CodeCheck } from './index.js';
import { commonBreakage, communityCode, districtCode, dynamicParts, gridType, pad, streetCode } from './test-helpers/arbitraries.js';

// Fuzzing of every code parser and encoder (issue 5): hostile and random input never makes them
// throw anything but CodeError, what they accept is well-formed, and encode∘decode is the identity.
// node:assert rather than expect inside the properties: it is ~20× cheaper, and they run 10,000 times.

const runs = fuzzRuns();
const counts = new Map<string, number>();
const count = (name: string): void => void counts.set(name, (counts.get(name) ?? 0) + 1);
afterAll(() => {
  for (const [name, n] of counts) console.log(`codes fuzz: ${n.toLocaleString('en')} cases: ${name}`);
});

const classes = loadComponentClasses();
const knownClass = fc.constantFrom(...classes.classes);

const unitCode = fc.tuple(communityCode, fc.integer({ min: 1, max: 999 })).map(([c, s]) => c + pad(s, 3));
const legacyUnitCode = fc.tuple(communityCode, fc.integer({ min: 1, max: 99 })).map(([c, s]) => c + pad(s, 2));
const staticCode = fc.tuple(communityCode, gridType, fc.integer({ min: 1, max: 999 })).map(([c, t, s]) => c + t + pad(s, 3));
const dynamicCode = dynamicParts.map(({ year, version }) => String(year) + pad(version, 2));
const fullSocialCode = fc.tuple(staticCode, dynamicCode).map(([s, d]) => `${s}-${d}`);
const componentCode = fc
  .tuple(districtCode, knownClass, fc.integer({ min: 1, max: 999_999 }))
  .map(([d, c, s]) => d + c.code + pad(s, 6));
const anyValidCode = fc.oneof(districtCode, streetCode, communityCode, unitCode, legacyUnitCode, staticCode, dynamicCode, fullSocialCode, componentCode);

/** What reaches a parser: mostly hostile text around valid codes, the classic breakages, and now and then not a string at all. */
const parserInput: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 10, arbitrary: hostileAround(anyValidCode) },
  { weight: 3, arbitrary: commonBreakage(anyValidCode, []) },
  { weight: 2, arbitrary: fc.stringMatching(/^[0-9-]{0,30}$/) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, 110101, 1101010010010010, Number.NaN, Infinity, -0, true, {}, [], ['110101'], { length: 6 }) },
);

/** A CodeError with a part, a reason and a short, printable message; anything else thrown fails the test. */
function expectCodeError(error: unknown, input: unknown, tidyMessage: boolean): void {
  if (!(error instanceof CodeError)) throw new Error(`threw ${String(error)} instead of a CodeError for ${shown(input)}`, { cause: error });
  if (error.part === '' || error.reason === '') assert.fail(`CodeError without part or reason for ${shown(input)}`);
  if (!tidyMessage) return;
  // the input is quoted and cut at 40 characters, so a 10 kB input never makes a 10 kB message
  if (error.message.length >= 700) assert.fail(`message of ${error.message.length} characters for ${shown(input)}`);
  // messages become problem details and log lines: no raw control characters or broken UTF-16
  if (/[\u0000-\u001f\u007f]|\p{Cs}/u.test(error.message)) assert.fail(`raw control character or lone surrogate in ${JSON.stringify(error.message)}`);
}

/** The input in a failure message: quoted, cut at 80 characters. */
function shown(value: unknown): string {
  if (typeof value !== 'string') return `(${typeof value}) ${JSON.stringify(value)}`;
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…(${value.length})` : value);
}

/** Runs `decode`; returns its result, or null after checking that what it threw was a proper CodeError. */
function attempt<T>(decode: () => T, input: unknown, tidyMessage = true): T | null {
  try {
    return decode();
  } catch (error) {
    expectCodeError(error, input, tidyMessage);
    return null;
  }
}

/** Asserts that `actual` has every member of `expected` (toMatchObject, one level deep). */
function assertHas(actual: object, expected: Record<string, unknown>): void {
  const picked = Object.fromEntries(Object.keys(expected).map((k) => [k, (actual as Record<string, unknown>)[k]]));
  assert.deepEqual(picked, expected);
}

function expectAgrees(check: CodeCheck, decoded: unknown, input: unknown): void {
  if (check.ok !== (decoded !== null)) assert.fail(`validate and decode disagree on ${shown(input)}`);
}

describe('code parsers under fuzzing', () => {
  test.prop([parserInput], { numRuns: runs })(
    'decoders throw only CodeError; what they accept re-encodes to the same code; validate agrees',
    (input) => {
      count('decoders (6 decoders, 5 validators per case)');
      const code = input as string;

      const admin = attempt(() => decodeAdminCode(code), input);
      expectAgrees(validateAdminCode(code), admin, input);
      if (admin !== null) {
        assert.match(code, /^[0-9]{6}([0-9]{3}){0,2}$/);
        assert.equal(admin.districtCode, code.slice(0, 6));
        if (admin.level === 'district') assert.equal(code.length, 6);
        else {
          assert.equal(admin.townshipKind, townshipKindOf(code.slice(6, 9)));
          const street = encodeStreetCode(admin.districtCode, Number(code.slice(6, 9)));
          assert.equal(street, admin.streetCode);
          if (admin.level === 'community') assert.equal(encodeCommunityCode(street, Number(code.slice(9, 12))), code);
          else assert.equal(code.length, 9);
        }
      }

      const unit = attempt(() => decodeUnitGridCode(code), input);
      expectAgrees(validateUnitGridCode(code), unit, input);
      if (unit !== null) {
        assert.match(unit.code, /^[0-9]{15}$/);
        assert.equal(unit.legacy, code.length === 14);
        if (!unit.legacy) assert.equal(unit.code, code);
        assert.equal(encodeUnitGridCode({ communityCode: unit.communityCode, serial: unit.serial }), unit.code);
        // normalising is idempotent: the 15-digit form decodes to the same parts
        assert.deepEqual(decodeUnitGridCode(unit.code), { ...unit, legacy: false });
      }

      const social = attempt(() => decodeSocialGridCode(code), input);
      expectAgrees(validateSocialGridCode(code), social, input);
      if (social !== null) {
        assert.equal(encodeSocialStaticCode({ communityCode: social.communityCode, gridType: social.gridType, serial: social.serial }), social.staticCode);
        if (social.dynamicCode === null) assert.equal(social.staticCode, code);
        else {
          assert.equal(encodeDynamicCode({ year: social.year!, version: social.version! }), social.dynamicCode);
          assert.equal(formatSocialGridCode(social.staticCode, social.dynamicCode), code);
        }
      }

      const dynamic = attempt(() => decodeDynamicCode(code), input);
      if (dynamic !== null) assert.equal(encodeDynamicCode(dynamic), code);

      const component = attempt(() => decodeComponentCode(code), input);
      expectAgrees(validateComponentCode(code), component, input);
      if (component !== null) {
        assert.equal(encodeComponentCode({ districtCode: component.districtCode, major: component.major, minor: component.minor, serial: component.serial }), code);
        assert.equal(findComponentClass(component.major, component.minor)?.name, component.className);
      }

      const grid = attempt(() => parseGridCode(code), input);
      expectAgrees(validateGridCode(code), grid, input);
      if (grid !== null) {
        if (grid.scheme === 'unit') assert.equal(grid.code, unit?.code);
        else assert.deepEqual([grid.staticCode, grid.dynamicCode], [social?.staticCode, social?.dynamicCode]);
      }
    },
    fuzzTimeoutMs(runs, 0.5),
  );

  // parts as a careless caller passes them: right or wrong shape, any number
  const hostileNumber = fc.oneof(
    fc.integer({ min: -5, max: 1_000_005 }),
    fc.double(),
    fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 0.5, 1e21, Number.MAX_SAFE_INTEGER + 2, 2 ** 53),
    numericString.map(Number),
  );
  const part = (valid: fc.Arbitrary<string>): fc.Arbitrary<string> => fc.oneof({ weight: 3, arbitrary: valid }, { weight: 2, arbitrary: hostileAround(valid) });
  const twoDigits = fc.integer({ min: 0, max: 99 }).map((n) => pad(n, 2));

  test.prop(
    [
      fc.record({
        district: part(districtCode),
        street: part(streetCode),
        community: part(communityCode),
        gridType: part(gridType),
        major: part(fc.oneof(knownClass.map((c) => c.major), twoDigits)),
        minor: part(fc.oneof(knownClass.map((c) => c.minor), twoDigits)),
        dynamic: part(dynamicCode),
        serial: hostileNumber,
        year: hostileNumber,
        version: hostileNumber,
      }),
    ],
    { numRuns: runs },
  )(
    'encoders throw only CodeError, and what they write decodes to the parts they were given',
    (p) => {
      count('encoders (8 encoders per case)');
      const street = attempt(() => encodeStreetCode(p.district, p.serial), p, false);
      if (street !== null) assertHas(decodeAdminCode(street), { level: 'street', districtCode: p.district });
      const community = attempt(() => encodeCommunityCode(p.street, p.serial), p, false);
      if (community !== null) assertHas(decodeAdminCode(community), { level: 'community', streetCode: p.street });
      const unit = attempt(() => encodeUnitGridCode({ communityCode: p.community, serial: p.serial }), p, false);
      if (unit !== null) assertHas(decodeUnitGridCode(unit), { communityCode: p.community, serial: p.serial, legacy: false });
      const staticCode_ = attempt(() => encodeSocialStaticCode({ communityCode: p.community, gridType: p.gridType as '1', serial: p.serial }), p, false);
      if (staticCode_ !== null) assertHas(decodeSocialGridCode(staticCode_), { communityCode: p.community, gridType: p.gridType, serial: p.serial });
      const dynamic = attempt(() => encodeDynamicCode({ year: p.year, version: p.version }), p, false);
      if (dynamic !== null) assert.deepEqual(decodeDynamicCode(dynamic), { year: p.year, version: p.version });
      const component = attempt(() => encodeComponentCode({ districtCode: p.district, major: p.major, minor: p.minor, serial: p.serial }), p, false);
      if (component !== null) assertHas(decodeComponentCode(component), { districtCode: p.district, major: p.major, minor: p.minor, serial: p.serial });
      const next = attempt(() => nextDynamicCode(p.dynamic, p.year), p, false);
      if (next !== null) {
        assert.equal(next > p.dynamic, true);
        assert.equal(decodeDynamicCode(next).year, p.year);
      }
      const full = attempt(() => formatSocialGridCode(p.community, p.dynamic), p, false);
      if (full !== null) assert.equal(decodeSocialGridCode(full).dynamicCode, p.dynamic);
    },
    fuzzTimeoutMs(runs, 0.5),
  );

  test.prop(
    [
      fc.oneof(
        fc.record({ scheme: fc.constant('admin' as const), district: districtCode, township: fc.integer({ min: 1, max: 599 }), community: fc.integer({ min: 1, max: 999 }) }),
        fc.record({ scheme: fc.constant('unit' as const), community: communityCode, serial: fc.integer({ min: 1, max: 999 }) }),
        fc.record({ scheme: fc.constant('social' as const), community: communityCode, type: gridType, serial: fc.integer({ min: 1, max: 999 }), dynamic: dynamicParts }),
        fc.record({ scheme: fc.constant('component' as const), district: districtCode, cls: knownClass, serial: fc.integer({ min: 1, max: 999_999 }) }),
      ),
    ],
    { numRuns: runs },
  )(
    'encode∘decode is the identity for every scheme',
    (parts) => {
      count('round trips');
      switch (parts.scheme) {
        case 'admin': {
          const street = encodeStreetCode(parts.district, parts.township);
          const community = encodeCommunityCode(street, parts.community);
          assertHas(decodeAdminCode(community), { districtCode: parts.district, streetCode: street, communityCode: community });
          assert.equal(Number(community.slice(6, 9)), parts.township);
          assert.equal(Number(community.slice(9)), parts.community);
          return;
        }
        case 'unit': {
          const code = encodeUnitGridCode({ communityCode: parts.community, serial: parts.serial });
          assertHas(decodeUnitGridCode(code), { communityCode: parts.community, serial: parts.serial });
          assert.deepEqual(parseGridCode(code), { scheme: 'unit', code, legacy: false });
          return;
        }
        case 'social': {
          const staticCode_ = encodeSocialStaticCode({ communityCode: parts.community, gridType: parts.type, serial: parts.serial });
          const full = formatSocialGridCode(staticCode_, encodeDynamicCode(parts.dynamic));
          assertHas(decodeSocialGridCode(full), { communityCode: parts.community, gridType: parts.type, serial: parts.serial, ...parts.dynamic });
          assert.deepEqual(parseGridCode(full), { scheme: 'social', staticCode: staticCode_, dynamicCode: full.slice(17) });
          return;
        }
        case 'component': {
          const { cls } = parts;
          const code = encodeComponentCode({ districtCode: parts.district, major: cls.major, minor: cls.minor, serial: parts.serial });
          assert.deepEqual(decodeComponentCode(code), { districtCode: parts.district, major: cls.major, minor: cls.minor, classCode: cls.code, className: cls.name, serial: parts.serial });
        }
      }
    },
    fuzzTimeoutMs(runs, 0.2),
  );

  const classPart = fc.oneof({ weight: 3, arbitrary: twoDigits }, { weight: 1, arbitrary: hostileString }, { weight: 1, arbitrary: mutated(twoDigits) });
  test.prop(
    [
      fc.record({
        majors: fc.array(fc.record({ code: classPart, name: fc.oneof(anyText, hostileString) }), { maxLength: 3 }),
        classes: fc.array(
          fc.record({
            major: classPart,
            minor: classPart,
            name: fc.oneof(anyText, hostileString),
            geometry: fc.constantFrom('point', 'line', 'polygon', 'Point', '', 'circle') as fc.Arbitrary<'point'>,
          }),
          { maxLength: 3 },
        ),
      }),
    ],
    { numRuns: Math.ceil(runs / 5) },
  )(
    'extendComponentClasses throws only CodeError, and a class it adds decodes in component codes',
    (extension) => {
      count('class table extensions');
      const table = attempt(() => extendComponentClasses(classes, extension), extension, false);
      if (table === null) return;
      for (const added of extension.classes) {
        const code = encodeComponentCode({ districtCode: '110101', major: added.major, minor: added.minor, serial: 1 }, table);
        assert.equal(decodeComponentCode(code, table).className, added.name);
      }
    },
    fuzzTimeoutMs(runs / 5, 1),
  );
});

describe('known bugs found by the fuzzing (flip to it() once fixed)', () => {
  // the decoders cut and quote their input (showInput); these encoder reasons quote a part whole,
  // and encodeSocialStaticCode raw, so a 10 kB or control-character part lands in the message as it is
  const tidy = (work: () => unknown): void => {
    try {
      work();
    } catch (error) {
      expectCodeError(error, 'see the test', true);
    }
  };
  it.fails('encodeSocialStaticCode quotes a grid type raw: NUL and lone surrogates reach the message', () => {
    tidy(() => encodeSocialStaticCode({ communityCode: '110101001001', gridType: '\0' as '1', serial: 1 }));
    tidy(() => encodeSocialStaticCode({ communityCode: '110101001001', gridType: '\ud800' as '1', serial: 1 }));
  });
  it.fails('encodeComponentCode quotes a 10 kB major class whole (10,116-character message)', () => {
    tidy(() => encodeComponentCode({ districtCode: '110101', major: 'x'.repeat(10_000), minor: '01', serial: 1 }));
  });
  it.fails('extendComponentClasses quotes a 10 kB major code or geometry whole', () => {
    tidy(() => extendComponentClasses(classes, { majors: [{ code: 'x'.repeat(10_000), name: 'x' }] }));
  });
});
