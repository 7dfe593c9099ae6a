import { layerTable } from './columns.js';

export const ALIAS_LEVELS = ['district', 'street', 'community', 'road'] as const;
export type AliasLevel = (typeof ALIAS_LEVELS)[number];

/**
 * Another name for a district, street, community or road: a former name (崇文区, merged into 东城区
 * in 2010), a colloquial short form (崇外 for 崇文门外), a common misspelling. The geocoder reads
 * the alias as the canonical name and says so in its answer.
 */
export interface Alias {
  id: number;
  /** the name people write: 崇文区 */
  alias: string;
  level: AliasLevel;
  /** today's name as the store spells it: 东城区 */
  canonical: string;
  /** today's code of the canonical area (6/9/12 digits), null for roads */
  code: string | null;
  /** the days the alias was the official name (validTo: the day it stopped); null = open */
  validFrom: string | null;
  validTo: string | null;
  note: string | null;
}

export const ALIASES = layerTable<Alias>()({
  table: 'aliases',
  key: 'id',
  columns: [
    { name: 'id', type: 'integer' },
    { name: 'alias', type: 'text', attribute: { required: true } },
    { name: 'level', type: 'text', values: ALIAS_LEVELS, attribute: { required: true } },
    { name: 'canonical', type: 'text', attribute: { required: true } },
    { name: 'code', type: 'text', nullable: true },
    { name: 'valid_from', type: 'date', nullable: true },
    { name: 'valid_to', type: 'date', nullable: true },
    { name: 'note', type: 'text', nullable: true, attribute: {} },
  ],
});
