/**
 * Committing a table change through a catalog, with Iceberg's retry policy (table properties
 * `commit.retry.num-retries` 4, `commit.retry.min-wait-ms` 100, `commit.retry.max-wait-ms` 60000,
 * `commit.retry.total-timeout-ms` 1800000). Each attempt reloads the table and rebuilds the change on it; data
 * files are written once, before, by the caller. Retries follow the error (`retryable`), not the call site.
 */
import { isFloeError } from '../../errors.js';
import type { Catalog, CatalogTable, CommitTableResponse, TableIdentifier } from '../catalog/catalog.js';
import type { TableMetadata } from '../spec/table-metadata.js';
import type { TableChange } from '../spec/table-update.js';
import type { Table } from './table.js';

/** Retry settings of a table. */
export interface RetryPolicy {
  numRetries: number;
  minWaitMs: number;
  maxWaitMs: number;
  totalTimeoutMs: number;
}

function num(md: TableMetadata, key: string, fallback: number): number {
  const v = Number(md.properties[key]);
  return Number.isFinite(v) && v >= 0 ? v : fallback;
}

/** The table's commit retry policy (Iceberg's defaults where unset). */
export function retryPolicy(md: TableMetadata): RetryPolicy {
  return {
    numRetries: num(md, 'commit.retry.num-retries', 4),
    minWaitMs: num(md, 'commit.retry.min-wait-ms', 100),
    maxWaitMs: num(md, 'commit.retry.max-wait-ms', 60_000),
    totalTimeoutMs: num(md, 'commit.retry.total-timeout-ms', 1_800_000),
  };
}

/** A catalog table as the reading layer sees it (paths as recorded: catalog tables are where they say). */
export function tableOf(ct: CatalogTable): Table {
  return { io: ct.io, metadataLocation: ct.metadataLocation, metadata: ct.metadata, location: ct.metadata.location, resolvePath: (p) => p };
}

/** Exponential backoff with full jitter, capped. */
function backoffMs(policy: RetryPolicy, attempt: number): number {
  const cap = Math.min(policy.maxWaitMs, policy.minWaitMs * 2 ** attempt);
  return policy.minWaitMs + Math.random() * Math.max(0, cap - policy.minWaitMs);
}

/** What a commit did, for the caller's bookkeeping. */
export interface CommitOutcome extends CommitTableResponse {
  attempts: number;
}

/**
 * Loads the table, builds the change on it and commits; on a retryable conflict waits and starts over from a
 * fresh load. Throws the last error when retries run out (COMMIT_CONFLICT), or at once for other errors.
 */
export async function commitWithRetry(
  catalog: Catalog,
  identifier: TableIdentifier,
  build: (table: Table) => Promise<TableChange>,
): Promise<CommitOutcome> {
  const started = Date.now();
  let policy: RetryPolicy | undefined;
  for (let attempt = 0; ; attempt++) {
    const ct = await catalog.loadTable(identifier);
    policy ??= retryPolicy(ct.metadata);
    const change = await build(tableOf(ct));
    try {
      const res = await catalog.commitTable({ identifier, requirements: change.requirements, updates: change.updates });
      return { ...res, attempts: attempt + 1 };
    } catch (err) {
      const retry =
        isFloeError(err) &&
        err.retryable &&
        err.code === 'COMMIT_CONFLICT' &&
        attempt < policy.numRetries &&
        Date.now() - started < policy.totalTimeoutMs;
      if (!retry) {
        if (isFloeError(err)) err.context.attempts = attempt + 1;
        throw err;
      }
      await new Promise((r) => setTimeout(r, backoffMs(policy!, attempt)));
    }
  }
}

/** True when a failed commit surely did not land, so the files written for it may be deleted. */
export function surelyNotCommitted(err: unknown): boolean {
  return !(isFloeError(err) && (err.code === 'COMMIT_STATE_UNKNOWN' || err.code === 'CATALOG_UNAVAILABLE'));
}
