import 'reflect-metadata';
import type { Bench, BenchResult } from './bench-types';

/**
 * A bench module exports `bench: Bench`. Imports are native dynamic imports (.swcrc sets
 * ignoreDynamic), so a compiled CommonJS bench arrives as `default`; {@link benchOf} takes either shape.
 */
type BenchModule = { bench?: Bench; default?: { bench?: Bench } };

/** name -> loader. Add a line per benchmark (vault, login, intake, import, list, claims, filing...). */
const REGISTRY: Record<string, () => Promise<BenchModule>> = {
  http: () => import('./http.bench.js'),
  import: () => import('./import.bench.js'),
  vault: () => import('./vault.bench.js'),
  login: () => import('./login.bench.js'),
  intake: () => import('./intake.bench.js'),
  list: () => import('./list.bench.js'),
  claims: () => import('./claims.bench.js'),
  filing: () => import('./filing.bench.js'),
};

function benchOf(name: string, mod: BenchModule): Bench {
  const bench = mod.bench ?? mod.default?.bench;
  if (typeof bench !== 'function') throw new Error(`bench "${name}" does not export \`bench\``);
  return bench;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

function humanLine(r: BenchResult): string {
  const p99 =
    typeof r.extra?.p99Ms === 'number' && typeof r.extra?.baselineP99Ms === 'number'
      ? `; p99 ${fmt(r.extra.p99Ms)} ms vs ${fmt(r.extra.baselineP99Ms)} ms`
      : '';
  return (
    `${r.name}: ${fmt(r.value)} ${r.unit} vs baseline ${fmt(r.baselineValue)} ${r.unit} (${r.baseline}) ` +
    `-> ${r.ratio}x${p99}; goal ${r.goal}: ${r.met ? 'MET' : 'MISSED'}`
  );
}

function print(r: BenchResult): void {
  const { name, value, unit, baseline, baselineValue, ratio, goal, met, extra } = r;
  process.stdout.write(
    `${JSON.stringify({ name, value, unit, baseline, baselineValue, ratio, goal, met, ...(extra ? { extra } : {}) })}\n`,
  );
  process.stdout.write(`${humanLine(r)}\n`);
}

/** `run.js [name [bench args...]]`: one benchmark by name, or every registered one without a name. */
async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name !== undefined && !(name in REGISTRY)) {
    process.stderr.write(`unknown benchmark "${name}"; known: ${Object.keys(REGISTRY).join(', ')}\n`);
    return 1;
  }
  process.env.LOG_LEVEL = 'silent';
  const names = name !== undefined ? [name] : Object.keys(REGISTRY);
  for (const n of names) {
    const bench = benchOf(n, await REGISTRY[n]());
    const out = await bench(rest);
    for (const r of Array.isArray(out) ? out : [out]) print(r);
  }
  // Benchmarks report, they do not gate: a missed goal still exits 0.
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
