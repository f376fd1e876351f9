/**
 * `floe backfill status | resume | cancel`: reading a run's ledger, running a run again from its ledger (its plan,
 * target, mode and rules), and asking a running run to stop. A cancel is a flag file next to the ledger that every
 * worker checks between windows (a process holding an AbortSignal can also abort in the middle of one); the run
 * ends `cancelled` with nothing half-written and resumes like any other.
 */
import { FloeError } from '../errors.js';
import { openContext } from './context.js';
import { listRuns, readLedger, requestCancel, type LedgerDocument } from './ledger.js';
import { runBackfill, type BackfillRunOutput } from './run.js';
import type { BackfillRequest, RunOptions, WindowStatus } from './types.js';

/** Where runs are kept: the catalog settings of a request. */
export type RunsLocation = Pick<BackfillRequest, 'config' | 'catalog' | 'catalog_config' | 'catalog_name'>;

/** A run's state as `floe backfill status` shows it. */
export interface RunStatusReport {
  run_id: string;
  status: LedgerDocument['status'];
  source: string;
  table: string;
  target: string;
  write_mode: string;
  plan_hash: string;
  windows: number;
  by_status: Record<WindowStatus, number>;
  rows_read: number;
  rows_written: number;
  rows_quarantined: number;
  invocations: LedgerDocument['invocations'];
  updated_at: string;
  manifest?: LedgerDocument['manifest'];
  failed_windows: Array<{ window_id: string; code?: string; message?: string; attempts: number }>;
}

async function ledgerOf(loc: RunsLocation, runId: string): Promise<{ doc: LedgerDocument; warehouse: string }> {
  const ctx = await openContext(loc);
  try {
    const doc = await readLedger(ctx.io, ctx.warehouse, runId);
    if (!doc) throw new FloeError('NOT_FOUND', `no backfill run ${runId} under ${ctx.warehouse}/_floe/runs`, { context: { run_id: runId } });
    return { doc, warehouse: ctx.warehouse };
  } finally {
    await ctx.close();
  }
}

/** The status of one run. */
export async function backfillStatus(loc: RunsLocation, runId: string): Promise<RunStatusReport> {
  const { doc } = await ledgerOf(loc, runId);
  const by: Record<WindowStatus, number> = { pending: 0, running: 0, committed: 0, failed: 0, skipped: 0 };
  for (const w of doc.windows) by[w.status]++;
  const sum = (k: 'rows_read' | 'rows_written' | 'rows_quarantined') => doc.windows.reduce((s, w) => s + Number(w[k] ?? 0), 0);
  return {
    run_id: doc.run_id,
    status: doc.status,
    source: doc.source,
    table: doc.table,
    target: doc.target,
    write_mode: doc.write_mode,
    plan_hash: doc.plan.plan_hash,
    windows: doc.windows.length,
    by_status: by,
    rows_read: sum('rows_read'),
    rows_written: sum('rows_written'),
    rows_quarantined: sum('rows_quarantined'),
    invocations: doc.invocations,
    updated_at: doc.updated_at,
    manifest: doc.manifest,
    failed_windows: doc.windows
      .filter((w) => w.status === 'failed')
      .map((w) => ({ window_id: w.window_id, code: w.error?.code, message: w.error?.message, attempts: w.attempts })),
  };
}

/** The runs with a ledger, newest change first. */
export async function listBackfillRuns(loc: RunsLocation): Promise<RunStatusReport[]> {
  const ctx = await openContext(loc);
  let ids: string[];
  try {
    ids = await listRuns(ctx.io, ctx.warehouse);
  } finally {
    await ctx.close();
  }
  const out: RunStatusReport[] = [];
  for (const id of ids) out.push(await backfillStatus(loc, id));
  return out.sort((a, b) => b.updated_at.localeCompare(a.updated_at));
}

/**
 * Runs a run again from its ledger. `source` is needed when the recorded source URL had a password (the ledger
 * keeps it redacted); `parallel` may change; everything else comes from the ledger.
 */
export async function resumeBackfill(
  loc: RunsLocation,
  runId: string,
  overrides: { source?: string; parallel?: number; max_retries?: number; retry_base_ms?: number } = {},
  opts: Omit<RunOptions, 'plan'> = {},
): Promise<BackfillRunOutput> {
  const { doc } = await ledgerOf(loc, runId);
  const source = overrides.source ?? doc.source;
  if (source.includes(':***@')) {
    throw new FloeError('INVALID_ARGUMENT', `run ${runId} read from ${doc.source}: give the source URL with its password (--source)`, {
      context: { run_id: runId, key: 'source' },
    });
  }
  return runBackfill(
    {
      ...loc,
      data_source: source,
      table: doc.table,
      target_table: doc.target,
      write_mode: doc.write_mode,
      key_columns: doc.key_columns,
      parallel: overrides.parallel ?? doc.parallel,
      max_retries: overrides.max_retries,
      retry_base_ms: overrides.retry_base_ms,
      run_id: runId,
    },
    { ...opts, plan: doc.plan },
  );
}

/** Asks run `runId` to stop after the windows it is running; the next resume clears the request. */
export async function cancelBackfill(loc: RunsLocation, runId: string): Promise<{ run_id: string; cancel_requested: true }> {
  const { warehouse } = await ledgerOf(loc, runId);
  const ctx = await openContext(loc);
  try {
    await requestCancel(ctx.io, warehouse, runId);
  } finally {
    await ctx.close();
  }
  return { run_id: runId, cancel_requested: true };
}
