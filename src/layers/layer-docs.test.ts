import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memberOf, type Column, type LayerTable } from './columns.js';
import { LAYER_TABLES, LAYERS } from '../model.js';

const DOCS = new URL('../../docs/layers.md', import.meta.url);

// docs/layers.md is made from the layer modules: a field added to one appears there once the
// docs are regenerated (UPDATE_DOCS=1 npx vitest run src/layers/layer-docs.test.ts), and this
// test fails until they are
describe('docs/layers.md', () => {
  it('lists every column of every layer as its module declares it', () => {
    const docs = readFileSync(DOCS, 'utf8');
    const begin = '<!-- layer-tables:begin -->';
    const end = '<!-- layer-tables:end -->';
    const rendered = docs.slice(0, docs.indexOf(begin) + begin.length) + '\n' + LAYERS.map((layer) => renderLayer(layer, LAYER_TABLES[layer])).join('\n') + docs.slice(docs.indexOf(end));
    if (process.env['UPDATE_DOCS']) writeFileSync(DOCS, rendered);
    expect(docs).toBe(rendered);
  });
});

function renderLayer(layer: string, table: LayerTable): string {
  const lines = [`### ${layer} (table \`${table.table}\`, key \`${table.key}\`)`, '', '| Column | Record member | Type | Null | Rules | Tiles | Description |', '|---|---|---|---|---|---|---|'];
  for (const column of table.columns) {
    lines.push(`| \`${column.name}\` | \`${memberOf(column.name)}\` | ${column.type} | ${column.nullable ? 'yes' : ''} | ${rules(column)} | ${column.attribute?.tile ?? ''} | ${column.description ?? ''} |`);
  }
  return lines.join('\n') + '\n';
}

function rules(column: Column): string {
  const parts: string[] = [];
  if (column.values) parts.push(`one of ${column.values.join(', ')}`);
  const a = column.attribute;
  if (a === undefined) return [...parts, 'set by the layer’s own rules'].join('; ');
  if (a.required) parts.push('required');
  if (a.min !== undefined || a.max !== undefined) parts.push(`${a.min ?? '−∞'}–${a.max ?? '∞'}`);
  if (a.maxLength !== undefined) parts.push(`API writes ≤ ${a.maxLength} characters`);
  if (a.default !== undefined) parts.push(`default ${typeof a.default === 'function' ? (a.defaultText ?? 'computed') : JSON.stringify(a.default)}`);
  return ['attribute', ...parts].join('; ');
}
