/**
 * Running one window: count the source range, stream it into a DuckDB table (never into JS memory), validate it,
 * split off the rows failing error-level rules, and hand the rest to the target as one commit. Called again on a
 * retryable failure; everything a failed attempt made (temp tables, written files) is dropped before it throws.
 */
import type { CreateFileIOOptions } from '../iceberg/io/file-io-for.js';
import { availableParallelism } from 'node:os';
import { FloeError } from '../errors.js';
import { Engine } from '../engine/duckdb-engine.js';
import { quoteIdent } from '../engine/sql-literals.js';
import { StepTimer } from '../engine/step-timer.js';
import { evaluateRules, splitByRulesSql, type ValidationReport } from '../quality/evaluate.js';
import type { QualityRule } from '../quality/rule.js';
import { openExtractor, type Extractor, type KeyRange, type WindowQuery } from '../sources/extract.js';
import type { BackfillTarget, WindowWriteResult } from './iceberg-target.js';
import { quarantineRelation } from './quarantine.js';

/** DuckDB threads per worker when `workers` run at once on `cores` cores: an even share, at least one. */
export function threadsPerWorker(workers: number, cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / Math.max(1, workers)));
}

/** A worker's own engine and source connection (windows run in parallel, each worker one at a time). */
export class Worker {
  private extractor?: Extractor;
  private engineP?: Promise<Engine>;

  /**
   * @param threads DuckDB threads of this worker's engine. Workers run side by side, so each gets its share of the
   * cores (see {@link threadsPerWorker}): more threads than cores only adds scheduling and lock contention.
   */
  constructor(
    readonly index: number,
    private readonly source: string,
    private threads = 1,
    private readonly sourceOptions: CreateFileIOOptions = {},
  ) {}

  async engine(): Promise<Engine> {
    this.engineP ??= Engine.create().then(async (e) => {
      await e.run(`SET threads = ${this.threads}`);
      return e;
    });
    return this.engineP;
  }

  /** Changes the engine's DuckDB threads (when fewer windows are left than workers, the ones left get the cores). */
  async setThreads(n: number): Promise<void> {
    const want = Math.max(1, Math.floor(n));
    if (want === this.threads) return;
    this.threads = want;
    if (this.engineP) await (await this.engineP).run(`SET threads = ${want}`);
  }

  async source_(): Promise<Extractor> {
    this.extractor ??= await openExtractor(this.source, this.sourceOptions);
    return this.extractor;
  }

  /** Drops the source connection (after it was lost: the next attempt opens a fresh one). */
  async resetSource(): Promise<void> {
    const ex = this.extractor;
    this.extractor = undefined;
    await ex?.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.resetSource();
    if (this.engineP) (await this.engineP).close();
  }
}

/** What one window attempt needs. */
export interface WindowTask {
  runId: string;
  planHash: string;
  windowId: string;
  table: string;
  range: KeyRange;
  rules: QualityRule[];
  target: BackfillTarget;
  signal?: AbortSignal;
  /** DuckDB threads this window may use now (asked again before the write: other windows may have finished). */
  threads?: () => number;
  /** Test hook: called at named points ('mid-window', 'after-commit'). */
  at?: (point: string) => void;
}

/** What one window attempt did. */
export interface WindowOutcome extends WindowWriteResult {
  source_count: bigint;
  rows_read: bigint;
  validation?: ValidationReport;
}

/**
 * Extracts a window and the source's count of it. A source that counts the rows it sends (PostgreSQL's COPY
 * command tag) needs no COUNT: its count is of exactly the snapshot it exported. Otherwise the COUNT runs beside
 * the read (the extractor pools connections): the window costs the slower of the two, not their sum, and a source
 * changing in between shows up as a mismatch.
 */
async function extractWindow(extractor: Extractor, engine: Engine, q: WindowQuery, temp: string, signal?: AbortSignal): Promise<{ rows: bigint; sourceCount: bigint }> {
  if (extractor.countsExtraction) {
    const { rows, sourceCount } = await extractor.extractInto(engine, q, temp, { signal });
    if (sourceCount !== undefined) return { rows, sourceCount };
    return { rows, sourceCount: await extractor.count(q) };
  }
  const [sourceCount, { rows }] = await Promise.all([extractor.count(q), extractor.extractInto(engine, q, temp, { signal })]);
  return { rows, sourceCount };
}

/** Runs one attempt of a window on `worker`. */
export async function runWindowAttempt(worker: Worker, task: WindowTask): Promise<WindowOutcome> {
  const extractor = await worker.source_();
  const engine = await worker.engine();
  const temp = `__floe_window_${worker.index}`;
  const timer = new StepTimer(`window ${task.windowId}`);
  await engine.run(`DROP TABLE IF EXISTS ${quoteIdent(temp)}`);
  try {
    const q = { table: task.table, range: task.range };
    const { rows, sourceCount } = await extractWindow(extractor, engine, q, temp, task.signal);
    timer.lap('extract');
    task.at?.('mid-window');
    if (rows !== sourceCount) {
      // The source's count disagrees with the rows loaded (a source changing between a COUNT and the read, or a read
      // that lost rows): nothing is written.
      throw new FloeError('RECONCILIATION_FAILED', `window ${task.windowId}: the source counted ${sourceCount} rows but ${rows} were read`, {
        context: { window_id: task.windowId, source_count: sourceCount.toString(), rows_read: rows.toString() },
      });
    }
    let validation: ValidationReport | undefined;
    let valid = quoteIdent(temp);
    let quarantine: string | undefined;
    if (task.rules.length > 0) {
      validation = await evaluateRules(engine, quoteIdent(temp), task.rules);
      if (validation.status === 'fail') {
        const failed = validation.rules.filter((r) => r.status === 'fail').map((r) => `${r.rule} (${r.failing} of ${r.checked})`);
        throw new FloeError('VALIDATION_FAILED', `window ${task.windowId} fails rules past their thresholds: ${failed.join(', ')}`, {
          context: { window_id: task.windowId, report: validation },
        });
      }
      if (validation.invalid_records > 0) {
        const split = splitByRulesSql(quoteIdent(temp), task.rules);
        valid = `(${split.validSql})`;
        quarantine = quarantineRelation(`(${split.invalidSql})`, task.runId, task.windowId);
      }
    }
    if (task.threads) await worker.setThreads(task.threads());
    const written = await task.target.writeWindow(engine, valid, {
      runId: task.runId,
      windowId: task.windowId,
      planHash: task.planHash,
      range: task.range,
      quarantine,
    });
    timer.lap('write');
    task.at?.('after-commit');
    return { ...written, source_count: sourceCount, rows_read: rows, validation };
  } finally {
    await engine.run(`DROP TABLE IF EXISTS ${quoteIdent(temp)}`).catch(() => undefined);
  }
}
