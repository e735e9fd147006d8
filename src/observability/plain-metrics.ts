/**
 * Labelled counters and histograms kept as plain numbers and rendered in the Prometheus text
 * format (0.0.4) at scrape time, for the instruments updated on every request or message.
 *
 * prom-client validates and hashes the label set on every update, even through a labelled child;
 * on the request path that cost more than some of the work being measured. Here a child is
 * looked up once per combination of label values (one map lookup) and an update is a few
 * additions. The families render next to the prom-client registry's output.
 */

/** One labelled counter series. */
export interface PlainCounter {
  inc(amount?: number): void;
}

/** One labelled histogram series. */
export interface PlainHistogram {
  observe(value: number): void;
}

/** A metric family: its series by label values (in `labelNames` order) and its exposition text. */
export interface PlainFamily<Child> {
  child(...labelValues: string[]): Child;
  /** HELP, TYPE and every series, ending with a newline. */
  render(): string;
}

/** What names a family. */
export interface FamilyOptions {
  name: string;
  help: string;
  labelNames: readonly string[];
}

/** Escapes a label value as the exposition format requires (backslash, quote, newline). */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** `name="value",…` for the given label values. */
function renderLabels(labelNames: readonly string[], values: readonly string[]): string {
  return labelNames
    .map((name, index) => `${name}="${escapeLabelValue(values[index] ?? '')}"`)
    .join(',');
}

/** Series of one family by their label values; creates each on first use. */
function seriesTable<Series>(
  options: FamilyOptions,
  create: (labels: string) => Series,
): { get(values: readonly string[]): Series; all(): IterableIterator<Series> } {
  const { name, labelNames } = options;
  // In order of creation, for rendering; found through one map per label (no key string is
  // built per update, and ("a", "bc") stays apart from ("ab", "c")).
  const created: Series[] = [];
  type Level = Map<string, Level | Series>;
  const root: Level = new Map();
  const last = labelNames.length - 1;
  return {
    get(values) {
      if (values.length !== labelNames.length) {
        throw new Error(
          `${name}: expected ${labelNames.length} label values, got ${values.length}`,
        );
      }
      if (last < 0) return created[0] ?? addSeries(values);
      let level = root;
      for (let index = 0; index < last; index += 1) {
        const value = values[index] as string;
        let next = level.get(value) as Level | undefined;
        if (next === undefined) {
          next = new Map();
          level.set(value, next);
        }
        level = next;
      }
      const found = level.get(values[last] as string) as Series | undefined;
      if (found !== undefined) return found;
      const series = addSeries(values);
      level.set(values[last] as string, series);
      return series;
    },
    all: () => created.values(),
  };

  function addSeries(values: readonly string[]): Series {
    const series = create(renderLabels(labelNames, values));
    created.push(series);
    return series;
  }
}

function braced(labels: string): string {
  return labels === '' ? '' : `{${labels}}`;
}

function header(options: FamilyOptions, type: 'counter' | 'histogram'): string {
  return `# HELP ${options.name} ${options.help}\n# TYPE ${options.name} ${type}\n`;
}

/** A labelled counter family. */
export function createCounterFamily(options: FamilyOptions): PlainFamily<PlainCounter> {
  interface Series extends PlainCounter {
    labels: string;
    value: number;
  }
  const series = seriesTable<Series>(options, (labels) => ({
    labels,
    value: 0,
    inc(amount = 1) {
      if (!(amount >= 0)) throw new Error(`${options.name}: a counter only goes up (${amount})`);
      this.value += amount;
    },
  }));
  return {
    child: (...values) => series.get(values),
    render() {
      let text = header(options, 'counter');
      for (const { labels, value } of series.all()) {
        text += `${options.name}${braced(labels)} ${value}\n`;
      }
      return text;
    },
  };
}

/** A labelled histogram family; `buckets` are the upper bounds, ascending. */
export function createHistogramFamily(
  options: FamilyOptions & { buckets: readonly number[] },
): PlainFamily<PlainHistogram> {
  const bounds = Float64Array.from(options.buckets);
  interface Series extends PlainHistogram {
    labels: string;
    /** Observations per bucket, not cumulative; the last slot is above every bound. */
    counts: Float64Array;
    sum: number;
    count: number;
  }
  const series = seriesTable<Series>(options, (labels) => ({
    labels,
    counts: new Float64Array(bounds.length + 1),
    sum: 0,
    count: 0,
    observe(value) {
      let index = 0;
      while (index < bounds.length && value > (bounds[index] as number)) index += 1;
      this.counts[index] = (this.counts[index] as number) + 1;
      this.sum += value;
      this.count += 1;
    },
  }));
  const { name } = options;
  return {
    child: (...values) => series.get(values),
    render() {
      let text = header(options, 'histogram');
      for (const { labels, counts, sum, count } of series.all()) {
        const rest = labels === '' ? '' : `,${labels}`;
        let cumulative = 0;
        for (let index = 0; index < bounds.length; index += 1) {
          cumulative += counts[index] as number;
          text += `${name}_bucket{le="${bounds[index]}"${rest}} ${cumulative}\n`;
        }
        text += `${name}_bucket{le="+Inf"${rest}} ${count}\n`;
        text += `${name}_sum${braced(labels)} ${sum}\n`;
        text += `${name}_count${braced(labels)} ${count}\n`;
      }
      return text;
    },
  };
}
