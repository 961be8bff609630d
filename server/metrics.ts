/**
 * Counters and gauges in the Prometheus text exposition format (version 0.0.4),
 * served at `GET /metrics`. Labels are fixed per series; a series is created on
 * first use. Gauges are read from callbacks when the text is rendered.
 */

type Labels = Readonly<Record<string, string>>;

interface Family {
  help: string;
  type: 'counter' | 'gauge';
  series: Map<string, { labels: Labels; value: number }>;
  collect?: () => Array<[Labels, number]>;
}

function labelKey(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return keys.map((k) => `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',');
}

/** A registry of metric families. */
export class Metrics {
  readonly #families = new Map<string, Family>();

  /** Declares a counter (idempotent). */
  counter(name: string, help: string): void {
    if (!this.#families.has(name)) this.#families.set(name, { help, type: 'counter', series: new Map() });
  }

  /** Declares a gauge whose values are read from `collect` at render time. */
  gauge(name: string, help: string, collect: () => Array<[Labels, number]> | number): void {
    this.#families.set(name, {
      help,
      type: 'gauge',
      series: new Map(),
      collect: () => {
        const v = collect();
        return typeof v === 'number' ? [[{}, v]] : v;
      },
    });
  }

  /** Adds `by` (default 1) to a counter series. */
  inc(name: string, labels: Labels = {}, by = 1): void {
    const fam = this.#families.get(name);
    if (!fam) throw new Error(`metrics: undeclared counter ${name}`);
    const key = labelKey(labels);
    const s = fam.series.get(key);
    if (s) s.value += by;
    else fam.series.set(key, { labels, value: by });
  }

  /**
   * A handle on one counter series, for hot paths: `inc` skips the label
   * lookup (per-frame counters are incremented millions of times).
   */
  series(name: string, labels: Labels = {}): { inc(by?: number): void } {
    const fam = this.#families.get(name);
    if (!fam) throw new Error(`metrics: undeclared counter ${name}`);
    const key = labelKey(labels);
    let s = fam.series.get(key);
    if (!s) fam.series.set(key, (s = { labels, value: 0 }));
    const series = s;
    return {
      inc(by = 1) {
        series.value += by;
      },
    };
  }

  /** Current value of a counter series (0 when never incremented). */
  value(name: string, labels: Labels = {}): number {
    return this.#families.get(name)?.series.get(labelKey(labels))?.value ?? 0;
  }

  /** The exposition text. */
  render(): string {
    const out: string[] = [];
    for (const [name, fam] of this.#families) {
      out.push(`# HELP ${name} ${fam.help}`, `# TYPE ${name} ${fam.type}`);
      const rows: Array<[Labels, number]> = fam.collect ? fam.collect() : [...fam.series.values()].map((s) => [s.labels, s.value]);
      for (const [labels, value] of rows) {
        const key = labelKey(labels);
        out.push(`${name}${key ? `{${key}}` : ''} ${Number.isFinite(value) ? value : 0}`);
      }
    }
    return `${out.join('\n')}\n`;
  }
}

/** The server's metric names, declared once. */
export function serverMetrics(): Metrics {
  const m = new Metrics();
  m.counter('flare_connections_total', 'Transport connections accepted, by transport.');
  m.counter('flare_handshakes_total', 'Handshakes, by result (ok | failed) and reason.');
  m.counter('flare_frames_in_total', 'Frames received, by transport.');
  m.counter('flare_frames_out_total', 'Frames sent, by transport.');
  m.counter('flare_bytes_in_total', 'Bytes received (wire), by transport.');
  m.counter('flare_bytes_out_total', 'Bytes sent (wire), by transport.');
  m.counter('flare_kicks_total', 'Connections kicked, by reason.');
  m.counter('flare_errors_total', 'ERROR frames and error ACKs sent, by code.');
  m.counter('flare_send_queue_drops_total', 'Frames dropped from full send queues, by what (best_effort | connection).');
  m.counter('flare_rate_limited_total', 'Frames refused by the per-connection rate limit.');
  m.counter('flare_room_messages_total', 'Messages published to rooms.');
  m.counter('flare_publish_duplicates_total', 'Room and direct messages recognised as resends by their message id (ACKed, not stored again).');
  m.counter('flare_rpc_total', 'RPC requests handled, by result (ok | error).');
  return m;
}
