/**
 * Exactly-once for Iceberg targets. Each window is committed as one snapshot whose summary carries
 * `floe.backfill.run-id`, `floe.backfill.window-id` and `floe.backfill.plan-hash` (spec: "Snapshots" — the summary
 * is a free string map, and every engine keeps unknown keys). The table's snapshots are therefore the record of
 * which windows landed: a resume reads them rather than trusting its own ledger, so a process that died between
 * the commit and the bookkeeping does not load the window again. The same check runs at commit time on every
 * attempt's base (SnapshotChange.validate), so two runners racing on one window cannot both commit it: the loser's
 * commit either fails its `assert-ref-snapshot-id` requirement and retries onto a base that has the window, or
 * finds it there at once (spec: "Optimistic Concurrency").
 */
import { FloeError, isFloeError } from '../errors.js';
import type { TableMetadata } from '../iceberg/spec/table-metadata.js';
import type { Table } from '../iceberg/table/table.js';

/** Snapshot summary keys floe writes on backfill commits. */
export const SUMMARY_RUN_ID = 'floe.backfill.run-id';
export const SUMMARY_WINDOW_ID = 'floe.backfill.window-id';
export const SUMMARY_PLAN_HASH = 'floe.backfill.plan-hash';

/** The summary properties of window `windowId` of run `runId`. */
export function windowSummary(runId: string, windowId: string, planHash: string): Record<string, string> {
  return { [SUMMARY_RUN_ID]: runId, [SUMMARY_WINDOW_ID]: windowId, [SUMMARY_PLAN_HASH]: planHash };
}

/** Windows of `runId` committed to the table, by window id, with their snapshot ids. */
export function committedWindows(md: TableMetadata, runId: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  // Every snapshot in the metadata counts, not only the branch's ancestry: a window committed and then rolled
  // back by a user is still a window this run delivered, and loading it again would surprise more than help.
  for (const s of md.snapshots) {
    if (s.summary[SUMMARY_RUN_ID] !== runId) continue;
    const w = s.summary[SUMMARY_WINDOW_ID];
    if (w !== undefined && !out.has(w)) out.set(w, s['snapshot-id']);
  }
  return out;
}

/** The `validate` hook of a window's commit: fails when the window is already in the base. */
export function notYetCommitted(runId: string, windowId: string): (base: Table) => Promise<void> {
  return async (base) => {
    const found = committedWindows(base.metadata, runId).get(windowId);
    if (found !== undefined) throw alreadyCommitted(runId, windowId, found);
  };
}

/** The error of a window some other runner committed first. */
export function alreadyCommitted(runId: string, windowId: string, snapshotId: bigint): FloeError {
  return new FloeError('COMMIT_CONFLICT', `window ${windowId} of run ${runId} is already committed (snapshot ${snapshotId})`, {
    retryable: false,
    context: { already_committed: true, run_id: runId, window_id: windowId, snapshot_id: snapshotId.toString() },
  });
}

/** True for the error of {@link alreadyCommitted}. */
export function isAlreadyCommitted(err: unknown): err is FloeError {
  return isFloeError(err, 'COMMIT_CONFLICT') && err.context.already_committed === true;
}
