import { describe, expect, it } from 'vitest';
import { aliasRecords, type AliasData } from './aliases.js';
import { loadGeneratorInputs } from './inputs.js';

describe('aliasRecords', () => {
  const inputs = loadGeneratorInputs();

  it('loads the shipped aliases, each naming an area of the district by its name and code', () => {
    const aliases = aliasRecords(inputs.aliases, 1);
    expect(inputs.aliases.source).toMatch(/note says what it rests on/);
    expect(aliases.map((a) => a.id)).toEqual(aliases.map((_, k) => k + 1));
    expect(aliases.find((a) => a.alias === '崇文区')).toMatchObject({ level: 'district', canonical: '东城区', code: '110101', validFrom: null, validTo: '2010-07-01' });
    expect(aliases.find((a) => a.alias === '崇文')).toMatchObject({ canonical: '东城区', validTo: '2010-07-01' });
    const areas = new Map<string, string>([
      [inputs.divisions.district.code, inputs.divisions.district.name],
      ...inputs.divisions.streets.map((s): [string, string] => [s.code, s.name]),
      ...inputs.divisions.streets.flatMap((s) => s.communities.map((c): [string, string] => [c.code, c.name])),
    ]);
    for (const alias of aliases) {
      expect(areas.get(alias.code!), alias.alias).toBe(alias.canonical);
      expect(alias.note, alias.alias).toBeTruthy();
      // an alias that is itself a current name would shadow that area
      expect([...areas.values()]).not.toContain(alias.alias);
    }
  });

  it('refuses a row import would refuse, naming the row', () => {
    const data: AliasData = { source: 'test', aliases: [{ alias: '崇文区', level: 'district', canonical: '东城区' }, { alias: '崇外', level: 'street', canonical: '崇文门外街道', code: '110101' }] };
    expect(() => aliasRecords(data, 1)).toThrow(/alias data row 2 \(崇外\): code 110101 is a district code, but level is street/);
  });
});
