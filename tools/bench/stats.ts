/** Nearest-rank percentile of a sample, in the sample's unit. */
export function percentile(values: number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank];
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Summarizes latencies in milliseconds. */
export function latencySummary(values: number[]) {
  return {
    samples: values.length,
    p50_ms: round(percentile(values, 0.5)),
    p95_ms: round(percentile(values, 0.95)),
    p99_ms: round(percentile(values, 0.99)),
    max_ms: round(Math.max(...values)),
  };
}
