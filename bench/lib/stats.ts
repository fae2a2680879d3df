/** Small summary statistics for benchmark samples. */

export type Summary = { median: number; min: number; max: number; runs: number; samples: number[] };

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no samples');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median, min and max, rounded to 0.1 ms; the samples are kept in run order. */
export function summarise(samples: readonly number[]): Summary {
  return {
    median: round(median(samples)),
    min: round(Math.min(...samples)),
    max: round(Math.max(...samples)),
    runs: samples.length,
    samples: samples.map((s) => round(s)),
  };
}

/** "a / b" rounded to two digits, or null when either side is missing. */
export function ratio(a: number | undefined, b: number | undefined): number | null {
  if (a === undefined || b === undefined || b <= 0) return null;
  return round(a / b, 2);
}
