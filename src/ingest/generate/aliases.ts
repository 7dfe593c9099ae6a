import type { Alias } from '../../model.js';
import { featureToRecord, type RecordContext } from '../layer-records.js';

/** Aliases shipped as data (data/aliases-<code>.json): rows with the columns `wangge import --layer aliases` reads. */
export interface AliasData {
  source: string;
  aliases: Record<string, string | null>[];
}

/**
 * The shipped rows as records, ids from `firstId`, checked as `wangge import --layer aliases`
 * checks a row: a row it would refuse is a mistake in the data, and throws naming the row.
 */
export function aliasRecords(data: AliasData, firstId: number): Alias[] {
  let next = firstId;
  const unasked = (): never => {
    throw new Error('an alias is not located and has no class');
  };
  // an alias asks for nothing but an id
  const context: RecordContext = { nextId: () => next++, gridsAt: unasked, nextComponentSerial: unasked, today: '' };
  return data.aliases.map((row, k) => {
    try {
      return featureToRecord('aliases', { type: 'Feature', properties: row, geometry: null }, context);
    } catch (error) {
      throw new Error(`alias data row ${k + 1} (${row.alias ?? 'no alias'}): ${(error as Error).message}`, { cause: error });
    }
  });
}
