/**
 * Shared pieces of the benchmarks: the module shape `bench/run.ts` dispatches to, option parsing, timing and
 * plain-text tables. Benchmarks report ratios against a baseline measured in the same run, because absolute
 * times on shared machines drift from run to run while the ratio of interleaved measurements holds steady.
 */

/** What each `bench/<name>.ts` exports. */
export interface BenchmarkModule {
  /** Runs the benchmark with the arguments after its name; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

/** A mistake in the command line: reported without a stack trace, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parsed `--name value` and `--flag` options. */
export interface BenchArgs {
  flags: Set<string>;
  values: Map<string, string>;
}

/**
 * Parses options. `valued` names the options that take a value (`--rounds 7` or `--rounds=7`); any other
 * `--name` is a flag. Unknown names and positional arguments are errors, so typos do not silently change a run.
 */
export function parseArgs(args: string[], valued: string[], flags: string[]): BenchArgs {
  const out: BenchArgs = { flags: new Set(), values: new Map() };
  for (let i = 0; i < args.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(args[i]);
    if (!m) throw new UsageError(`unexpected argument: ${args[i]}`);
    const [, name, inline] = m;
    if (valued.includes(name)) {
      const v = inline ?? args[++i];
      if (v === undefined) throw new UsageError(`--${name} needs a value`);
      out.values.set(name, v);
    } else if (flags.includes(name) && inline === undefined) {
      out.flags.add(name);
    } else {
      throw new UsageError(`unknown option --${name} (options: ${[...valued, ...flags].map((o) => `--${o}`).join(', ')})`);
    }
  }
  return out;
}

/** A positive integer option, or `fallback` when absent. Accepts `10_000_000` and `10e6`. */
export function intOption(args: BenchArgs, name: string, fallback: number): number {
  const raw = args.values.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got ${raw}`);
  return n;
}

/** Milliseconds `fn` takes, and its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const t0 = performance.now();
  const result = await fn();
  return { ms: performance.now() - t0, result };
}

/** The median (mean of the middle two for an even count). */
export function median(xs: number[]): number {
  if (xs.length === 0) throw new Error('median of no values');
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Renders rows as a Markdown table (readable in a terminal and pasteable into docs/benchmarks.md). */
export function markdownTable(header: string[], rows: string[][], rightAlign: boolean[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length), 3));
  const pad = (s: string, i: number) => (rightAlign[i] ? s.padStart(widths[i]) : s.padEnd(widths[i]));
  const line = (cells: string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (rightAlign[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** `12.3` → `"12.3"`, with one decimal below 100 ms and none above. */
export function formatMs(ms: number): string {
  return ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
}
