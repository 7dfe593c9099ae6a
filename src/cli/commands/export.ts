import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { isIsoDate, layerHasGeometry, recordToFeature } from '../../ingest/layer-records.js';
import { FEATURE_FORMATS } from '../../ingest/read-features.js';
import { featureSerializer } from '../../ingest/write-features.js';
import { LAYERS } from '../../model.js';
import { ioFailureOf } from '../../store/io-failure.js';
import { LAYER_ROWS } from '../../store/rows.js';
import { Store } from '../../store/store.js';
import { choiceFlag, parseFlags, UsageError } from '../args.js';
import { chosenDatabase, DATABASE_FLAGS, DATABASE_HELP, onChosenDatabase } from '../command-database.js';
import { openBatchOutput } from '../batch/batch-output.js';
import type { Io } from '../io.js';

export const exportHelp = `wangge export --layer ${LAYERS.join('|')} [-o FILE] [options]

Writes a layer out in a form wangge import reads back (WGS84; aliases: attributes only).
  --layer L            the layer (required)
  -o, --output FILE    output file (default: standard output)
  --format F           geojson (default), ndjson or csv (properties as columns, geometry as wkt, lists joined by |)
  --at YYYY-MM-DD      grids as they were that day (default: current versions)
${DATABASE_HELP}`;

export async function exportCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags('export', argv, {
    layer: { type: 'string' },
    output: { type: 'string', short: 'o' },
    format: { type: 'string' },
    at: { type: 'string' },
    ...DATABASE_FLAGS,
  });
  if (values.help) return io.out(exportHelp), 0;
  const layer = choiceFlag(values.layer, 'layer', LAYERS);
  const format = choiceFlag(values.format, 'format', FEATURE_FORMATS, 'geojson');
  if (values.at !== undefined && !isIsoDate(values.at)) throw new UsageError(`--at must be a date YYYY-MM-DD, got "${values.at}"`);
  return onChosenDatabase(chosenDatabase(values), { writes: false, io, layers: [layer] }, async (dbPath) => {
    const store = Store.open(dbPath, { readonly: true });
    const columns = LAYER_ROWS[layer].columns.filter((c) => c !== 'geometry' && !/^(min|max)_[xy]$/.test(c));
    const serializer = featureSerializer(format, columns, layerHasGeometry(layer));
    let count = 0;
    try {
      // written to a temporary file and renamed at the end, so a failed export leaves no half file
      const output = openBatchOutput(values.output);
      try {
        await write(output.stream, serializer.head);
        for (const record of store.iterate(layer, { at: values.at })) {
          await write(output.stream, serializer.feature(recordToFeature(layer, record), count++));
        }
        await write(output.stream, serializer.tail);
        await output.commit();
      } catch (error) {
        output.abort();
        throw ioFailureOf(error, values.output) ?? error;
      }
    } finally {
      store.close();
    }
    io.err(`exported ${count} ${layer}${values.at ? ` valid on ${values.at}` : ''} as ${format}${values.output ? ` to ${values.output}` : ''}`);
    return 0;
  });
}

async function write(stream: Writable, chunk: string): Promise<void> {
  if (chunk !== '' && !stream.write(chunk)) await once(stream, 'drain');
}
