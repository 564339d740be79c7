/** Latency summaries shared by the benchmark scripts. */
export interface LatencySummary {
  readonly p50_ms: number;
  readonly p95_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
  readonly mean_ms: number;
}

/** Nearest-rank percentiles of `samples` (milliseconds), rounded to 0.1 ms. */
export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number): number =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]! : 0;
  const sum = sorted.reduce((total, ms) => total + ms, 0);
  return {
    p50_ms: round(at(0.5)),
    p95_ms: round(at(0.95)),
    p99_ms: round(at(0.99)),
    max_ms: round(sorted.length ? sorted[sorted.length - 1]! : 0),
    mean_ms: round(sorted.length ? sum / sorted.length : 0),
  };
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
