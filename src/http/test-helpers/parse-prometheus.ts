/** A sample as read back from the text format. */
export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedFamily {
  help: string;
  type: string;
  samples: ParsedSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

/**
 * A strict reader of the Prometheus text format 0.0.4, for tests: throws on anything the format
 * does not allow — a sample before its family's TYPE, a family declared twice or split, a bad
 * name, an unescaped label value, a value Go's ParseFloat would refuse, a missing final newline.
 */
export function parsePrometheus(text: string): Map<string, ParsedFamily> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, ParsedFamily>();
  let current: string | undefined;
  text
    .slice(0, -1)
    .split('\n')
    .forEach((line, i) => {
      const fail = (why: string): never => {
        throw new Error(`line ${i + 1} "${line}": ${why}`);
      };
      // the format ignores empty lines (prom-client puts one between families)
      if (line === '') return;
      const comment = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
      if (comment) {
        const [, kind, name, rest] = comment as unknown as [string, string, string, string];
        if (!METRIC_NAME.test(name)) fail('bad metric name');
        const family = families.get(name) ?? { help: '', type: '', samples: [] };
        if (family.samples.length > 0) fail('HELP or TYPE after the family’s samples');
        if (kind === 'HELP') {
          if (family.help !== '') fail('second HELP');
          family.help = unescapeHelp(rest, fail);
        } else {
          if (family.type !== '') fail('second TYPE');
          if (!TYPES.has(rest)) fail(`unknown type ${rest}`);
          family.type = rest;
        }
        families.set(name, family);
        current = name;
        return;
      }
      if (line.startsWith('#')) fail('not a HELP, TYPE or sample line');
      const sample = parseSample(line, fail);
      const family = current === undefined ? undefined : families.get(current);
      if (!family || family.type === '') fail('sample before its family’s TYPE');
      const allowed = family!.type === 'histogram' ? HISTOGRAM_SUFFIXES.map((suffix) => current + suffix) : [current];
      if (!allowed.includes(sample.name)) fail(`sample ${sample.name} is not of family ${current}`);
      family!.samples.push(sample);
    });
  return families;
}

function parseSample(line: string, fail: (why: string) => never): ParsedSample {
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0] ?? fail('no metric name');
  let at = name.length;
  const labels: Record<string, string> = {};
  if (line[at] === '{') {
    at++;
    while (line[at] !== '}') {
      const label = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(at)) ?? fail('bad label');
      if (!LABEL_NAME.test(label[1]!) || label[1]! in labels) fail(`bad or repeated label ${label[1]}`);
      at += label[0].length;
      let value = '';
      for (;;) {
        const ch = line[at++] ?? fail('unterminated label value');
        if (ch === '"') break;
        if (ch === '\n') fail('raw newline in a label value');
        if (ch === '\\') {
          const escaped = line[at++];
          if (escaped === 'n') value += '\n';
          else if (escaped === '\\' || escaped === '"') value += escaped;
          else fail(`bad escape \\${escaped}`);
        } else value += ch;
      }
      labels[label[1]!] = value;
      if (line[at] === ',') at++;
      else if (line[at] !== '}') fail('expected , or }');
    }
    at++;
  }
  const rest = line.slice(at);
  const value = /^ (\S+)(?: -?\d+)?$/.exec(rest)?.[1] ?? fail('expected " value [timestamp]"');
  return { name, labels, value: parseGoFloat(value, fail) };
}

function parseGoFloat(text: string, fail: (why: string) => never): number {
  // Go's ParseFloat takes these in any case (prom-client writes NaN as "Nan")
  if (/^\+?inf(inity)?$/i.test(text)) return Infinity;
  if (/^-inf(inity)?$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  if (!/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(text)) fail(`bad value ${text}`);
  return Number(text);
}

function unescapeHelp(text: string, fail: (why: string) => never): string {
  return text.replace(/\\(.)/g, (_, ch: string) => (ch === 'n' ? '\n' : ch === '\\' ? '\\' : fail(`bad escape in HELP \\${ch}`)));
}
