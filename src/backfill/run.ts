/**
 * The backfill executor (REQUIREMENTS.md §7 "execute the backfill"): runs a plan's windows with `parallel` workers,
 * each window one commit to the target, exactly once across crashes, resumes, retries and racing runners; keeps
 * the ledger for status/resume/cancel; records the audit manifest. See docs/backfill.md.
 *
 * Exactly once: before running, the windows already in the target (its snapshot summaries, or the DuckDB windows
 * table) are taken as done, whatever the ledger says, and the commit itself re-checks on every attempt.
 */
import { resolveCatalog, s3OptionsFor } from '../config/floe-config.js';
import { FloeError, isFloeError } from '../errors.js';
import { StepTimer } from '../engine/step-timer.js';
import { Engine } from '../engine/duckdb-engine.js';
import { resolveReferenceTables, type ResolvedRules } from './reference-tables.js';
import { normalizeRules, type QualityRule } from '../quality/rule.js';
import { redactUrl } from '../sources/schema-builder.js';
import { openExtractor, type Extractor, type KeyRange } from '../sources/extract.js';
import { checkRequest, deriveRunId, openContext, type BackfillContext } from './context.js';
import { DuckdbTarget } from './duckdb-target.js';
import { fingerprint, IcebergTarget, type BackfillTarget } from './iceberg-target.js';
import { Ledger, readLedger, type LedgerDocument } from './ledger.js';
import { appendAuditRow, writeManifest, type ManifestRef } from './manifest.js';
import { planBackfill, type BackfillPlan, type WindowPlan } from './plan.js';
import { backoffDelay, errorRecord, isRetryable, sleep } from './retry.js';
import type { BackfillEvent, BackfillRequest, BackfillRunResult, RunError, RunOptions, WindowRecord } from './types.js';
import { isAlreadyCommitted } from './window-commits.js';
import { runWindowAttempt, threadsPerWorker, Worker } from './window-runner.js';

/** Errors that would fail every window alike: the run stops scheduling windows after one. */
const ABORTING = new Set(['SCHEMA_MISMATCH', 'VALIDATION_FAILED', 'CONFIG_INVALID', 'UNSUPPORTED', 'INVALID_ARGUMENT']);

/** A run's result with its manifest. */
export interface BackfillRunOutput extends BackfillRunResult {
  manifest: ManifestRef;
}

/**
 * Test hook: `FLOE_BACKFILL_CRASH_AT=<point>[:<n>]` kills the process with SIGKILL the n-th time (default 1st) it
 * reaches `point` (`mid-window`: after a window's rows were extracted, before its commit; `after-commit`: after a
 * commit, before the ledger knows). Crash tests use it to stop a child process at an exact place.
 */
function crashHook(): ((point: string) => void) | undefined {
  const spec = process.env.FLOE_BACKFILL_CRASH_AT;
  if (!spec) return undefined;
  const [name, nth] = spec.split(':');
  let seen = 0;
  return (point) => {
    if (point === name && ++seen >= Number(nth ?? 1)) process.kill(process.pid, 'SIGKILL');
  };
}

/** The window's key range as the extractor reads it. */
export function rangeOf(plan: BackfillPlan, w: Pick<WindowPlan, 'start_offset' | 'end_offset'> & { include_nulls?: boolean }): KeyRange {
  return { column: plan.column, start: w.start_offset, end: w.end_offset, ...(w.include_nulls ? { includeNulls: true } : {}) };
}

/** Opens the target a request names. */
async function openTarget(ctx: BackfillContext, target: string, request: BackfillRequest, columns: Awaited<ReturnType<Extractor['columns']>>): Promise<BackfillTarget> {
  const mode = request.write_mode ?? 'append';
  if (target.startsWith('duckdb:')) return DuckdbTarget.open(target, request.table, columns, mode, request.key_columns);
  return IcebergTarget.open(ctx.catalog, target, columns, mode, request.key_columns);
}

function newLedger(ctx: BackfillContext, runId: string, request: BackfillRequest, target: string, plan: BackfillPlan, parallel: number): Ledger {
  const now = new Date().toISOString();
  const doc: LedgerDocument = {
    ledger_version: 1,
    run_id: runId,
    status: 'running',
    created_at: now,
    updated_at: now,
    source: redactUrl(request.data_source),
    table: request.table,
    target,
    write_mode: request.write_mode ?? 'append',
    key_columns: request.key_columns,
    parallel,
    plan,
    invocations: [],
    windows: plan.execution_plan.map((w) => ({
      window_id: w.window_id,
      start_offset: w.start_offset,
      end_offset: w.end_offset,
      planned_records: w.record_count,
      status: 'pending',
      attempts: 0,
    })),
  };
  return new Ledger(ctx.io, ctx.warehouse, doc);
}

const big = (v: string | undefined) => (v === undefined ? 0 : Number(v));

/**
 * Runs a backfill: plans it (unless `opts.plan` is given or its ledger exists), runs the windows not yet in the
 * target, and writes the manifest. Never throws for a window's failure (the result lists it); throws for a request
 * that cannot start (bad arguments, unreachable source, a target that cannot be opened).
 */
export async function runBackfill(request: BackfillRequest, opts: RunOptions = {}): Promise<BackfillRunOutput> {
  const checked = checkRequest(request);
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const emit = (e: BackfillEvent) => opts.onEvent?.(e);
  // FLOE_TIMING=1 prints where a run's time goes (docs/benchmarks.md "backfill").
  const timer = new StepTimer('run');
  const ctx = await openContext(request);
  timer.lap('context');
  let extractor: Extractor | undefined;
  let references: ResolvedRules | undefined;
  let target: BackfillTarget | undefined;
  const workers: Worker[] = [];
  try {
    // A given run id with a ledger is a resume: its plan is the one the run started with.
    let existing = request.run_id ? await readLedger(ctx.io, ctx.warehouse, request.run_id) : undefined;
    // File sources on S3 are read with the configured store (endpoint, path style, keys), as tables are.
    const sourceOptions = { s3: s3OptionsFor(ctx.config, resolveCatalog(ctx.config, request.catalog_name)) };
    extractor = await openExtractor(request.data_source, sourceOptions);
    timer.lap('extractor');
    const planStarted = Date.now();
    const plan =
      existing?.plan ??
      opts.plan ??
      (await planBackfill(extractor, { table: request.table, column: request.column, by: request.by, windowSize: checked.window_size, parallel: checked.parallel }));
    const planSeconds = (Date.now() - planStarted) / 1000;
    timer.lap('plan');
    const runId = request.run_id ?? deriveRunId(plan.plan_hash, checked.target, checked.write_mode);
    existing ??= await readLedger(ctx.io, ctx.warehouse, runId);
    if (existing && existing.plan.plan_hash !== plan.plan_hash) {
      throw new FloeError('INVALID_ARGUMENT', `run ${runId} was started with plan ${existing.plan.plan_hash}, not ${plan.plan_hash}: give another run id`, {
        context: { run_id: runId },
      });
    }
    const rules: QualityRule[] = normalizeRules(request.rules ?? existing?.rules ?? []);
    // Foreign keys are checked against the referenced tables' keys, extracted once for every window.
    const refEngine = await Engine.create();
    try {
      references = await resolveReferenceTables(extractor, refEngine, rules);
    } finally {
      refEngine.close();
    }
    const windowRules = references.rules;
    for (const sk of references.skipped) emit({ type: 'rule.skipped', rule: sk.rule, reason: sk.reason });
    const columns = await extractor.columns(request.table);
    const sourceFingerprint = fingerprint(columns);
    target = await openTarget(ctx, checked.target, request, columns);
    timer.lap('target');
    const ledger = existing ? new Ledger(ctx.io, ctx.warehouse, existing) : newLedger(ctx, runId, request, checked.target, plan, checked.parallel);
    const doc = ledger.doc;
    const invocation = { pid: process.pid, started_at: startedAt, committed: 0, recovered: 0 } as LedgerDocument['invocations'][number];
    doc.invocations.push(invocation);
    doc.status = 'running';
    doc.rules = rules;
    doc.target_schema_fingerprint = target.schemaFingerprint();
    await ledger.clearCancel();

    const errors: RunError[] = [];
    const failWindow = async (w: WindowRecord, err: unknown) => {
      const rec = errorRecord(err);
      errors.push({ window_id: w.window_id, code: rec.code, message: rec.message, attempts: w.attempts });
      await ledger.update(w.window_id, { status: 'failed', error: rec, finished_at: new Date().toISOString() });
      emit({ type: 'window.failed', run_id: runId, window_id: w.window_id, code: rec.code, message: rec.message });
    };

    // A source column that changed type since the run started fails the run before anything is read.
    if (doc.source_schema_fingerprint && doc.source_schema_fingerprint !== sourceFingerprint) {
      const err = new FloeError('SCHEMA_MISMATCH', `the columns of ${request.table} changed since run ${runId} started: start a new run`, {
        context: { run_id: runId, was: doc.source_schema_fingerprint, now: sourceFingerprint },
      });
      errors.push({ code: err.code, message: err.message });
      invocation.status = doc.status = 'failed';
      invocation.finished_at = new Date().toISOString();
      await ledger.save();
      throw err;
    }
    doc.source_schema_fingerprint = sourceFingerprint;

    // The target is the truth of what landed; the ledger catches up with it.
    timer.lap('ledger');
    const inTarget = await target.committedWindows(runId);
    let skipped = 0;
    for (const w of doc.windows) {
      const snap = inTarget.get(w.window_id);
      if (snap !== undefined && w.status !== 'committed') {
        w.status = 'committed';
        w.snapshot_id ??= snap;
        (w.notes ??= []).push(`found committed in the target (${snap}) by invocation ${doc.invocations.length}: an earlier invocation stopped before recording it`);
        invocation.recovered = (invocation.recovered ?? 0) + 1;
      }
      if (w.status === 'committed') skipped++;
      else if (w.status !== 'pending') {
        (w.notes ??= []).push(`${w.status} in invocation ${doc.invocations.length - 1}; run again`);
        w.status = 'pending';
      }
    }
    await ledger.save();
    timer.lap('committed');
    emit({ type: 'run.start', run_id: runId, windows: doc.windows.length, total_records: plan.total_records, resumed: doc.invocations.length > 1, skipped });
    for (const w of doc.windows) {
      if (w.status === 'committed') emit({ type: 'window.skipped', run_id: runId, window_id: w.window_id, reason: `already committed (${w.snapshot_id ?? 'ledger'})` });
    }

    const pending = doc.windows.filter((w) => w.status === 'pending');
    const totalRows = plan.total_records;
    let rowsDone = doc.windows.filter((w) => w.status === 'committed').reduce((s, w) => s + (big(w.rows_read) || w.planned_records), 0);
    let rowsThisRun = 0;
    let windowsDone = skipped;
    let aborted = false;
    let cancelled = false;
    const at = crashHook();
    const progress = () => {
      const secs = (Date.now() - started) / 1000;
      const rate = secs > 0 ? rowsThisRun / secs : 0;
      emit({
        type: 'progress',
        run_id: runId,
        rows_done: rowsDone,
        rows_total: totalRows,
        windows_done: windowsDone,
        windows_total: doc.windows.length,
        rows_per_second: Math.round(rate),
        eta_seconds: rate > 0 ? Math.max(0, Math.round((totalRows - rowsDone) / rate)) : null,
      });
    };

    // Windows being worked on: their DuckDB engines share the cores (the last ones left get them all).
    let inFlight = 0;
    const threads = () => threadsPerWorker(Math.max(1, inFlight));
    const runOne = async (worker: Worker, w: WindowRecord) => {
      inFlight++;
      try {
        await runWindow(worker, w);
      } finally {
        inFlight--;
      }
    };
    const runWindow = async (worker: Worker, w: WindowRecord) => {
      const range = rangeOf(plan, plan.execution_plan.find((p) => p.window_id === w.window_id) as WindowPlan);
      for (;;) {
        await ledger.update(w.window_id, { status: 'running', attempts: w.attempts + 1, started_at: new Date().toISOString() });
        emit({ type: 'window.start', run_id: runId, window_id: w.window_id, attempt: w.attempts });
        const t0 = Date.now();
        try {
          const out = await runWindowAttempt(worker, { runId, planHash: plan.plan_hash, windowId: w.window_id, table: request.table, range, rules: windowRules, target: target!, signal: opts.signal, at, threads });
          await ledger.update(w.window_id, {
            status: 'committed',
            source_count: out.source_count.toString(),
            rows_read: out.rows_read.toString(),
            rows_written: out.rows_written.toString(),
            rows_quarantined: out.rows_quarantined.toString(),
            checksum: out.checksum,
            checksum_read_back: out.checksum_read_back,
            snapshot_id: out.snapshot_id,
            duration_ms: Date.now() - t0,
            validation: out.validation,
            error: undefined,
            finished_at: new Date().toISOString(),
          });
          invocation.committed = (invocation.committed ?? 0) + 1;
          rowsDone += Number(out.rows_read);
          rowsThisRun += Number(out.rows_read);
          windowsDone++;
          emit({ type: 'window.committed', run_id: runId, window_id: w.window_id, rows: Number(out.rows_written), quarantined: Number(out.rows_quarantined), snapshot_id: out.snapshot_id });
          progress();
          return;
        } catch (err) {
          if (isAlreadyCommitted(err)) {
            // Another runner of the same run committed it first: it is loaded, once.
            (w.notes ??= []).push(`committed by another runner (${String(err.context.snapshot_id)})`);
            await ledger.update(w.window_id, { status: 'committed', snapshot_id: String(err.context.snapshot_id), finished_at: new Date().toISOString() });
            windowsDone++;
            return;
          }
          if (isFloeError(err, 'CANCELLED') || opts.signal?.aborted) {
            cancelled = true;
            (w.notes ??= []).push('interrupted by cancel; nothing committed');
            await ledger.update(w.window_id, { status: 'pending', duration_ms: Date.now() - t0 });
            return;
          }
          if (isRetryable(err) && w.attempts <= checked.max_retries) {
            const delay = backoffDelay(w.attempts, checked.retry_base_ms);
            const rec = errorRecord(err);
            (w.notes ??= []).push(`attempt ${w.attempts}: ${rec.code}: ${rec.message}; retried after ${delay} ms`);
            emit({ type: 'window.retry', run_id: runId, window_id: w.window_id, attempt: w.attempts, code: rec.code, message: rec.message, delay_ms: delay });
            if (isFloeError(err, 'SOURCE_UNAVAILABLE')) await worker.resetSource();
            try {
              await sleep(delay, opts.signal);
            } catch {
              cancelled = true;
              await ledger.update(w.window_id, { status: 'pending' });
              return;
            }
            continue;
          }
          await failWindow(w, err);
          if (isFloeError(err) && ABORTING.has(err.code)) aborted = true;
          return;
        }
      }
    };

    const queue = [...pending];
    const stop = async () => aborted || cancelled || opts.signal?.aborted === true || (await ledger.cancelRequested());
    const workerLoop = async (worker: Worker) => {
      for (;;) {
        if (await stop()) {
          if (!aborted) cancelled = true;
          return;
        }
        const w = queue.shift();
        if (!w) return;
        await runOne(worker, w);
      }
    };
    const n = Math.min(checked.parallel, Math.max(1, pending.length));
    for (let i = 0; i < n; i++) workers.push(new Worker(i, request.data_source, threadsPerWorker(n), sourceOptions));
    progress();
    await Promise.all(workers.map(workerLoop));

    const committed = doc.windows.filter((w) => w.status === 'committed').length;
    const failed = doc.windows.filter((w) => w.status === 'failed').length;
    const status = failed > 0 || aborted ? 'failed' : committed === doc.windows.length ? 'completed' : cancelled ? 'cancelled' : 'failed';
    const finished = Date.now();
    invocation.status = doc.status = status;
    invocation.finished_at = new Date(finished).toISOString();
    const duration = (finished - started) / 1000;
    const result: BackfillRunResult = {
      run_id: runId,
      status,
      processed: committed,
      failed,
      success_rate: doc.windows.length === 0 ? 1 : committed / doc.windows.length,
      duration_seconds: duration,
      errors,
      rows_per_second: duration > 0 ? Math.round(rowsThisRun / duration) : 0,
      rows_read: doc.windows.reduce((s, w) => s + big(w.rows_read), 0),
      rows_written: doc.windows.reduce((s, w) => s + big(w.rows_written), 0),
      rows_quarantined: doc.windows.reduce((s, w) => s + big(w.rows_quarantined), 0),
      windows: doc.windows.length,
      skipped,
      target: checked.target,
      plan_hash: plan.plan_hash,
    };
    const manifestInput = {
      ledger: doc,
      result,
      source_dialect: extractor.dialect,
      target_kind: target.kind,
      validation: opts.validation,
      timings: { started_at: startedAt, finished_at: invocation.finished_at, plan_seconds: planSeconds, run_seconds: duration },
    };
    const manifest = await writeManifest(ctx.io, ctx.warehouse, manifestInput);
    doc.manifest = manifest;
    await ledger.save();
    const auditEngine = await Engine.create();
    try {
      await appendAuditRow(ctx.catalog, auditEngine, manifest, manifestInput);
    } catch (err) {
      const rec = errorRecord(err);
      result.errors.push({ code: rec.code, message: `recording the run in floe_audit.backfill_runs failed: ${rec.message}` });
    } finally {
      auditEngine.close();
    }
    emit({ type: 'run.end', run_id: runId, status, processed: committed, failed });
    return { ...result, manifest };
  } finally {
    await Promise.all(workers.map((w) => w.close().catch(() => undefined)));
    await target?.close().catch(() => undefined);
    await extractor?.close().catch(() => undefined);
    await references?.release().catch(() => undefined);
    await ctx.close();
  }
}
