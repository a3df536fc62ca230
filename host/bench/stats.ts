// Summary statistics over the repeats of one measurement.

export interface Summary {
  median: number;
  min: number;
  max: number;
  /** Every repeat, in the order measured. */
  samples: number[];
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function summarize(xs: number[]): Summary {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), samples: [...xs] };
}

/** A number with about `digits` significant figures, without exponent notation. */
export function fmt(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return '-';
  if (x === 0) return '0';
  const mag = Math.floor(Math.log10(Math.abs(x)));
  const decimals = Math.max(0, digits - 1 - mag);
  return x.toFixed(Math.min(decimals, 6));
}
