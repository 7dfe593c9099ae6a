import { inspectArchive, type ArchiveInspection, type TileSizes } from '../../tiles/inspect-archive.js';
import { parseFlags, UsageError } from '../args.js';
import type { Io } from '../io.js';

export const tilesInspectHelp = `wangge tiles inspect FILE [--json]

Prints what an MBTiles or PMTiles archive holds (the format is read from the file, not its name):
its metadata (name, format, bounds, center, zooms, layers with their field types) and tile
statistics: tiles per zoom and stored tile sizes in bytes (p50, p95, p99, max) per zoom and overall.
  --json   the same as one JSON object`;

/** `wangge tiles inspect FILE`: exit 1 when FILE is missing or not an archive, 2 for a bad command line. */
export async function tilesInspectCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags('tiles inspect', argv, { json: { type: 'boolean' } });
  if (values.help) return io.out(tilesInspectHelp), 0;
  if (positionals.length !== 1) throw new UsageError(`usage: wangge tiles inspect FILE [--json], got ${positionals.length} files (see wangge tiles inspect --help)`);
  const inspection = await inspectArchive(positionals[0]!);
  io.out(values.json ? JSON.stringify(inspection, null, 2) : describe(inspection));
  return 0;
}

function describe(a: ArchiveInspection): string {
  const lines = [
    `${a.file}: ${a.format === 'mbtiles' ? 'MBTiles' : 'PMTiles'}`,
    `  name         ${a.name}`,
    `  format       ${a.tileFormat}${a.tileCompression ? ` (${a.tileCompression})` : ''}`,
    `  bounds       ${a.bounds.join(', ')}`,
    `  center       ${a.center.join(', ')}`,
    `  zooms        ${a.minzoom}–${a.maxzoom}`,
  ];
  if (a.attribution) lines.push(`  attribution  ${a.attribution}`);
  lines.push('', `layers (${a.layers.length})`);
  for (const layer of a.layers) {
    const zooms = layer.minzoom !== undefined && layer.maxzoom !== undefined ? ` z${layer.minzoom}–${layer.maxzoom}` : '';
    const stats = layer.features !== undefined ? `, ${layer.features} features, ${layer.geometry}` : '';
    lines.push(`  ${layer.id}${zooms}${stats}`);
    const fields = Object.entries(layer.fields);
    lines.push(fields.length > 0 ? `    ${fields.map(([name, type]) => `${name}: ${type}`).join(', ')}` : '    (no fields)');
  }
  lines.push('', 'tiles (stored bytes)', table([['zoom', 'tiles', 'p50', 'p95', 'p99', 'max', 'total'], ...a.zooms.map((z) => row(String(z.zoom), z)), row('all', a.total)]));
  return lines.join('\n');
}

function row(label: string, s: TileSizes): string[] {
  return [label, s.tiles, s.p50, s.p95, s.p99, s.max, s.bytes].map(String);
}

/** Right-aligned columns, two spaces apart. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => '  ' + r.map((cell, i) => cell.padStart(widths[i]!)).join('  ')).join('\n');
}
