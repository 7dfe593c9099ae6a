/** Media type of the Prometheus text exposition format this file writes. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'counter' | 'gauge' | 'histogram';

export type Labels = Readonly<Record<string, string>>;

/** One line of a family: `name{labels} value`; a histogram's names carry _bucket, _sum, _count. */
export interface Sample {
  name: string;
  labels: Labels;
  value: number;
}

/** A metric as exposed: its HELP and TYPE lines, then its samples. */
export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: readonly Sample[];
}

/**
 * Prometheus text exposition format 0.0.4: per family `# HELP`, `# TYPE` and one line per
 * sample, newline-terminated.
 * @example formatMetrics([singleValue('up', 'whether it runs', 'gauge', 1)]) // '# HELP up whether it runs\n# TYPE up gauge\nup 1\n'
 */
export function formatMetrics(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const { name, help, type, samples } of families) {
    lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    for (const sample of samples) lines.push(`${sample.name}${formatLabels(sample.labels)} ${formatValue(sample.value)}`);
  }
  return lines.map((line) => line + '\n').join('');
}

/** A label value as the format quotes it: backslash, double quote and newline escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A sample value: Go float syntax, with +Inf, -Inf and NaN spelled as the format wants. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** A family of one unlabelled sample. */
export function singleValue(name: string, help: string, type: 'counter' | 'gauge', value: number): MetricFamily {
  return { name, help, type, samples: [{ name, labels: {}, value }] };
}

/** A gauge family with one sample per label set. */
export function gaugeOf(name: string, help: string, values: ReadonlyArray<readonly [Labels, number]>): MetricFamily {
  return { name, help, type: 'gauge', samples: values.map(([labels, value]) => ({ name, labels, value })) };
}

/** A counter with labels, counted in this process. */
export class CounterVec {
  private readonly counts = new Map<string, { labels: Labels; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
  ) {}

  inc(labels: Labels, by = 1): void {
    const key = labelKey(this.labelNames, labels);
    const entry = this.counts.get(key);
    if (entry) entry.value += by;
    else this.counts.set(key, { labels: pick(this.labelNames, labels), value: by });
  }

  family(): MetricFamily {
    return { name: this.name, help: this.help, type: 'counter', samples: [...this.counts.values()].map(({ labels, value }) => ({ name: this.name, labels, value })) };
  }
}

/** A histogram with labels: cumulative `le` buckets, sum and count per label set. */
export class HistogramVec {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();

  /** `bounds`: the buckets' upper bounds, ascending; +Inf is added */
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    private readonly bounds: readonly number[],
  ) {}

  observe(labels: Labels, value: number): void {
    const key = labelKey(this.labelNames, labels);
    let entry = this.series.get(key);
    if (!entry) this.series.set(key, (entry = { labels: pick(this.labelNames, labels), counts: this.bounds.map(() => 0), sum: 0, count: 0 }));
    const bucket = this.bounds.findIndex((bound) => value <= bound);
    if (bucket >= 0) entry.counts[bucket]!++;
    entry.sum += value;
    entry.count++;
  }

  family(): MetricFamily {
    const samples: Sample[] = [];
    for (const { labels, counts, sum, count } of this.series.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += counts[i]!;
        samples.push({ name: `${this.name}_bucket`, labels: { ...labels, le: formatValue(bound) }, value: cumulative });
      });
      samples.push({ name: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: count });
      samples.push({ name: `${this.name}_sum`, labels, value: sum });
      samples.push({ name: `${this.name}_count`, labels, value: count });
    }
    return { name: this.name, help: this.help, type: 'histogram', samples };
  }
}

function formatLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabelValue(value)}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function labelKey(names: readonly string[], labels: Labels): string {
  return JSON.stringify(names.map((name) => labels[name] ?? ''));
}

// the declared labels only, in their declared order
function pick(names: readonly string[], labels: Labels): Labels {
  return Object.fromEntries(names.map((name) => [name, labels[name] ?? '']));
}
