/** What every benchmark returns; the runner prints it as one JSON line plus one human line. */
export interface BenchResult {
  name: string;
  /** The figure measured for the product. */
  value: number;
  unit: string;
  /** What the baseline is (measured in the same run, on the same machine). */
  baseline: string;
  baselineValue: number;
  /** value / baselineValue, rounded to 3 places. */
  ratio: number;
  /** The target, stated with its direction, e.g. ">= 0.8x req/s" or "<= 1.5x time". */
  goal: string;
  /** Whether the goal was met in this run. */
  met: boolean;
  extra?: Record<string, unknown>;
}

export type Bench = (args: string[]) => Promise<BenchResult | BenchResult[]>;

export function ratioOf(value: number, baselineValue: number): number {
  return Math.round((value / baselineValue) * 1000) / 1000;
}
