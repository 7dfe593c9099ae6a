import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import {
  componentClassName,
  extendComponentClasses,
  findComponentClass,
  findComponentMajor,
  loadComponentClasses,
  tableFromFile,
} from './component-classes.js';
import type { ComponentClassTable } from './component-classes.js';
import { codeError } from './test-helpers/code-assertions.js';
import { pad } from './test-helpers/arbitraries.js';

const table = loadComponentClasses();

describe('loadComponentClasses', () => {
  it('has the six standard majors of standards.md §6.3', () => {
    expect(table.majors).toEqual([
      { code: '01', name: '公用设施', local: false },
      { code: '02', name: '道路交通', local: false },
      { code: '03', name: '市容环境', local: false },
      { code: '04', name: '园林绿化', local: false },
      { code: '05', name: '房屋土地', local: false },
      { code: '06', name: '其他设施', local: false },
    ]);
    expect(table.source).toContain('standards.md §6.3');
  });

  it('carries national and Beijing names and geometry', () => {
    expect(findComponentClass('01', '01')).toEqual({
      major: '01',
      minor: '01',
      code: '0101',
      name: '上水井盖',
      beijingName: '上水井盖',
      geometry: 'point',
      local: false,
    });
    expect(findComponentClass('01', '07')).toMatchObject({ name: '通讯井盖', beijingName: '电信井盖' });
    expect(componentClassName('01', '10')).toBe('热力井盖');
    expect(componentClassName('02', '02')).toBe('停车咪表');
    expect(findComponentClass('02', '12')).toMatchObject({ geometry: 'point', altGeometry: ['line'] });
    expect(findComponentClass('06', '01')).toMatchObject({ geometry: 'point', altGeometry: ['polygon'] });
    expect(findComponentClass('04', '08')).not.toHaveProperty('beijingName');
    expect(findComponentMajor('03')?.name).toBe('市容环境');
  });

  it('leaves out 0605 and marks the Beijing additions as local', () => {
    expect(findComponentClass('06', '05')).toBeUndefined();
    expect(componentClassName('06', '05')).toBeUndefined();
    const local = table.classes.filter((c) => c.local).map((c) => c.code);
    expect(local).toEqual(['0218', '0219', '0311', '0312', '0313', '0314', '0315', '0316', '0317']);
    expect(componentClassName('03', '17')).toBe('移动厕所');
  });

  it('has unique 4-digit codes in order, each under a known major', () => {
    const codes = table.classes.map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect([...codes].sort()).toEqual(codes);
    for (const c of table.classes) {
      expect(c.code).toMatch(/^[0-9]{4}$/);
      expect(c.code).toBe(c.major + c.minor);
      expect(findComponentMajor(c.major)).toBeDefined();
    }
    expect(codes).toHaveLength(92);
  });

  it('is read once and frozen', () => {
    expect(loadComponentClasses()).toBe(table);
    expect(Object.isFrozen(table)).toBe(true);
    expect(Object.isFrozen(table.classes)).toBe(true);
    expect(Object.isFrozen(table.classes[0])).toBe(true);
    expect(() => (table.classes as unknown[]).push({})).toThrow(TypeError);
  });

  it('refuses a broken data file with a plain Error', () => {
    const bad = JSON.stringify({ source: 'x', majors: [{ major: '01', name: 'x', minors: [{ minor: '1', name: 'y', geometry: 'point' }] }] });
    expect(() => tableFromFile(bad)).toThrow('class code "011" is not 4 digits');
  });
});

describe('extendComponentClasses', () => {
  it('adds local classes to a copy and leaves the shared table alone', () => {
    const extended = extendComponentClasses(table, {
      majors: [{ code: '21', name: '扩展部件' }],
      classes: [
        { major: '21', minor: '01', name: '防蚊闸', geometry: 'point' },
        { major: '01', minor: '51', name: '充电桩', geometry: 'point', altGeometry: ['polygon'] },
      ],
    });
    expect(extended).not.toBe(table);
    expect(findComponentClass('01', '51', extended)).toEqual({
      major: '01',
      minor: '51',
      code: '0151',
      name: '充电桩',
      geometry: 'point',
      altGeometry: ['polygon'],
      local: true,
    });
    expect(findComponentMajor('21', extended)).toEqual({ code: '21', name: '扩展部件', local: true });
    expect(componentClassName('21', '01', extended)).toBe('防蚊闸');
    expect(extended.classes).toHaveLength(table.classes.length + 2);
    expect(findComponentClass('01', '51')).toBeUndefined();
    expect(table.majors).toHaveLength(6);
    expect(Object.isFrozen(extended.classes)).toBe(true);
  });

  it.each([
    [{ classes: [{ major: '01', minor: '39', name: 'x', geometry: 'point' as const }] }, 'minor class', 'local minor class "39" must be 51–99 inside standard major 01 公用设施'],
    [{ classes: [{ major: '01', minor: '00', name: 'x', geometry: 'point' as const }] }, 'minor class', 'minor class "00" must be 01–99'],
    [{ classes: [{ major: '01', minor: '5', name: 'x', geometry: 'point' as const }] }, 'minor class', 'minor class "5" must be 2 ASCII digits'],
    [{ classes: [{ major: '21', minor: '01', name: 'x', geometry: 'point' as const }] }, 'major class', 'major class "21" is not in the table; add it under majors first'],
    [{ majors: [{ code: '95', name: 'x' }] }, 'major class', 'major class "95" is reserved'],
    [{ majors: [{ code: '07', name: 'x' }] }, 'major class', 'major class "07" is not available for local use'],
    [{ majors: [{ code: '01', name: 'x' }] }, 'major class', 'major class "01" is not available for local use'],
    [{ majors: [{ code: '21', name: 'a' }, { code: '21', name: 'b' }] }, 'major class', 'major class "21" is already in the table'],
    [{ majors: [{ code: '21', name: ' ' }] }, 'name', 'needs a non-empty name'],
    [
      { classes: [{ major: '01', minor: '51', name: 'a', geometry: 'point' as const }, { major: '01', minor: '51', name: 'b', geometry: 'point' as const }] },
      'class',
      'class 0151 is already in the table',
    ],
    [{ classes: [{ major: '01', minor: '51', name: 'x', geometry: 'area' as 'point' }] }, 'geometry', 'geometry "area" must be point, line or polygon'],
  ])('rejects %o', (extra, part, message) => {
    const err = codeError(() => extendComponentClasses(table, extra));
    expect(err.scheme).toBe('component-class');
    expect(err.part).toBe(part);
    expect(err.message).toContain(message);
  });

  const standardMajor = fc.constantFrom('01', '02', '03', '04', '05', '06');

  test.prop([standardMajor, fc.integer({ min: 51, max: 99 })])('local minors 51–99 fit in every standard major', (major, minor) => {
    const extended = extendComponentClasses(table, { classes: [{ major, minor: pad(minor, 2), name: '本地部件', geometry: 'point' }] });
    expect(findComponentClass(major, pad(minor, 2), extended)?.local).toBe(true);
    expect(findComponentClass(major, pad(minor, 2))).toBeUndefined();
  });

  test.prop([standardMajor, fc.integer({ min: 1, max: 50 })])('local minors 01–50 in a standard major are refused', (major, minor) => {
    expect(codeError(() => extendComponentClasses(table, { classes: [{ major, minor: pad(minor, 2), name: 'x', geometry: 'point' }] })).part).toBe(
      'minor class',
    );
  });

  test.prop([fc.integer({ min: 0, max: 99 })])('only majors 21–89 can be added', (n) => {
    const add = () => extendComponentClasses(table, { majors: [{ code: pad(n, 2), name: 'x' }] });
    if (n >= 21 && n <= 89) expect(findComponentMajor(pad(n, 2), add())?.local).toBe(true);
    else expect(codeError(add).part).toBe('major class');
  });
});

describe('docs/codes.md', () => {
  it('renders the class table from the JSON', () => {
    const docsUrl = new URL('../../docs/codes.md', import.meta.url);
    const docs = readFileSync(docsUrl, 'utf8');
    const begin = '<!-- class-table:begin -->\n';
    const end = '<!-- class-table:end -->';
    const rendered = docs.slice(0, docs.indexOf(begin) + begin.length) + renderClassTable(table) + docs.slice(docs.indexOf(end));
    // regenerate after editing data/component-classes.json, then review the diff
    if (process.env['UPDATE_DOCS']) writeFileSync(docsUrl, rendered);
    expect(docs).toBe(rendered);
  });
});

function renderClassTable(classes: ComponentClassTable): string {
  const lines: string[] = [];
  for (const major of classes.majors) {
    lines.push(`### ${major.code} ${major.name}`, '');
    lines.push('| Code | Name (national) | Beijing (S19) | Geometry | Local | Note |', '|------|-----------------|---------------|----------|-------|------|');
    for (const c of classes.classes.filter((cls) => cls.major === major.code)) {
      const geometry = c.altGeometry ? `${c.geometry} (or ${c.altGeometry.join(', ')})` : c.geometry;
      lines.push(`| ${c.code} | ${c.name} | ${c.beijingName ?? '—'} | ${geometry} | ${c.local ? 'local' : ''} | ${c.note ?? ''} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
