/**
 * Step timing for profiling row-level operations: with `FLOE_TIMING=1` in the environment, each `lap` prints the
 * milliseconds since the previous one to stderr (`[floe timing] merge matches 812 ms`). Without it, laps cost a
 * `performance.now()` call and print nothing. Used to find where an upsert's time goes (docs/benchmarks.md).
 */

/** Records the time between successive steps of one operation. */
export class StepTimer {
  private last = performance.now();
  private readonly enabled = process.env.FLOE_TIMING === '1';

  constructor(private readonly label: string) {}

  /** Notes the end of step `name`. */
  lap(name: string): void {
    if (!this.enabled) return;
    const now = performance.now();
    process.stderr.write(`[floe timing] ${this.label} ${name} ${Math.round(now - this.last)} ms\n`);
    this.last = now;
  }
}
