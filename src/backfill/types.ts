/**
 * The public shapes of a backfill run (REQUIREMENTS.md §7: the request and response field names are a contract):
 * the request, the run's result, the per-window records the ledger and the manifest keep, and progress events.
 */
import type { FloeConfig } from '../config/floe-config.js';
import type { BackfillPlan } from './plan.js';

/** Where committed windows go and how. */
export type WriteMode = 'append' | 'overwrite' | 'upsert';

/** A backfill request (REQUIREMENTS.md §7 `{data_source, window_size, target_model | target_table, validate_sample}`). */
export interface BackfillRequest {
  /** Source URL: `postgresql://…`, `mysql://…`, `sqlite:path`, `duckdb:path`, or Parquet/CSV/JSON files. */
  data_source: string;
  /** The source table (for files: the file or glob itself may be omitted here). */
  table: string;
  /**
   * The target: `namespace.table` in the configured Iceberg catalog, or `duckdb:<path>[#<table>]` for a DuckDB
   * database file (the table defaults to the source table's name).
   */
  target_table?: string;
  /** A generated model's name: the target becomes `<target_namespace>.<snake_case(model)>` (default namespace `backfill`). */
  target_model?: string;
  /** Namespace of a `target_model` target (default `backfill`). */
  target_namespace?: string;
  /** Target rows per window (default 1000). */
  window_size?: number;
  /** Windows run at once (default: the core count, from 2 to 4). */
  parallel?: number;
  /** Rows sampled for validation before the run (0: none; default 100). */
  validate_sample?: number;
  /** Quality rules evaluated on the sample and on every window (see src/quality). */
  rules?: unknown[];
  /** Default `append`. */
  write_mode?: WriteMode;
  /** Key columns of `upsert`. */
  key_columns?: string[];
  /** Window column and planning strategy (see planBackfill). */
  column?: string;
  by?: 'key' | 'hour' | 'day' | 'month';
  /** The iceberg.writer catalog contract (REQUIREMENTS.md §1) … */
  catalog?: 'sql' | 'rest' | 'hadoop' | 'memory' | 'glue' | 'hive';
  catalog_config?: Record<string, unknown>;
  /** … or a loaded floe configuration and a catalog name in it. */
  config?: FloeConfig;
  catalog_name?: string;
  /** Run id; default derived from the plan hash and the target, so the same request resumes the same run. */
  run_id?: string;
  /** Retries of a window for retryable errors (default 5). */
  max_retries?: number;
  /** First backoff in ms (default 200), doubled per attempt with full jitter, capped at 30 s. */
  retry_base_ms?: number;
}

/** The state of one window. */
export type WindowStatus = 'pending' | 'running' | 'committed' | 'failed' | 'skipped';

/** What the ledger and the manifest record of a window. */
export interface WindowRecord {
  window_id: string;
  start_offset: unknown;
  end_offset: unknown;
  planned_records: number;
  status: WindowStatus;
  attempts: number;
  /** Source COUNT(*) of the range at extraction time. */
  source_count?: string;
  rows_read?: string;
  rows_written?: string;
  rows_quarantined?: string;
  /** Order-independent checksum (DuckDB `sum(hash(row))`) of the rows written and of the rows read back. */
  checksum?: string;
  checksum_read_back?: string;
  snapshot_id?: string;
  duration_ms?: number;
  validation?: unknown;
  error?: { code: string; message: string; retryable: boolean };
  /** Notes such as "found committed in the target on resume". */
  notes?: string[];
  started_at?: string;
  finished_at?: string;
}

/** The state of a run. */
export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled';

/** An error as the result lists it. */
export interface RunError {
  window_id?: string;
  code: string;
  message: string;
  attempts?: number;
}

/** What a run returns (REQUIREMENTS.md §7 "execute the backfill"). */
export interface BackfillRunResult {
  run_id: string;
  status: RunStatus;
  /** Windows committed (by this invocation or earlier ones). */
  processed: number;
  failed: number;
  success_rate: number;
  duration_seconds: number;
  errors: RunError[];
  rows_per_second: number;
  rows_read: number;
  rows_written: number;
  rows_quarantined: number;
  windows: number;
  /** Windows found already committed and not run again. */
  skipped: number;
  target: string;
  plan_hash: string;
}

/** Progress events (one JSON object per line on stderr without a terminal). */
export type BackfillEvent =
  | { type: 'run.start'; run_id: string; windows: number; total_records: number; resumed: boolean; skipped: number }
  | { type: 'window.start'; run_id: string; window_id: string; attempt: number }
  | { type: 'window.retry'; run_id: string; window_id: string; attempt: number; code: string; message: string; delay_ms: number }
  | { type: 'window.committed'; run_id: string; window_id: string; rows: number; quarantined: number; snapshot_id?: string }
  | { type: 'window.skipped'; run_id: string; window_id: string; reason: string }
  | { type: 'rule.skipped'; rule: string; reason: string }
  | { type: 'window.failed'; run_id: string; window_id: string; code: string; message: string }
  | {
      type: 'progress';
      run_id: string;
      rows_done: number;
      rows_total: number;
      windows_done: number;
      windows_total: number;
      rows_per_second: number;
      eta_seconds: number | null;
    }
  | { type: 'run.end'; run_id: string; status: RunStatus; processed: number; failed: number };

/** Options of runBackfill. */
export interface RunOptions {
  onEvent?: (event: BackfillEvent) => void;
  signal?: AbortSignal;
  /** A plan made earlier (else planned here, or taken from the ledger on resume). */
  plan?: BackfillPlan;
  /** The sample validation report to record in the manifest. */
  validation?: unknown;
}
