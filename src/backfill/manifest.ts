/**
 * The audit manifest of a backfill run (REQUIREMENTS.md §7 "record a manifest for audit"): one JSON document per
 * invocation under the warehouse, `_floe/manifests/<manifest_id>.json`, written through FileIO (local or S3), with
 * everything an auditor asks about a run: what was read, from where, with which schema, what was written, where,
 * window by window (range, rows read, written and quarantined, attempts, status, duration, checksums, validation),
 * and one row per run appended to the Iceberg table `floe_audit.backfill_runs`.
 */
import type { Catalog } from '../iceberg/catalog/catalog.js';
import type { FileIO } from '../iceberg/io/file-io.js';
import { joinPath } from '../iceberg/io/file-io.js';
import type { Engine } from '../engine/duckdb-engine.js';
import { quoteString } from '../engine/sql-literals.js';
import { writeIceberg } from '../warehouses/iceberg/iceberg-writer.js';
import { stringifyJson } from '../util/json.js';
import { VERSION } from '../version.js';
import type { LedgerDocument } from './ledger.js';
import type { BackfillRunResult } from './types.js';

/** The manifest's public reference (REQUIREMENTS.md §7). */
export interface ManifestRef {
  manifest_id: string;
  location: string;
  timestamp: string;
}

/** The audit table every run appends a row to. */
export const AUDIT_TABLE = 'floe_audit.backfill_runs';

/** What a manifest records beyond the ledger. */
export interface ManifestInput {
  ledger: LedgerDocument;
  result: BackfillRunResult;
  source_dialect?: string;
  target_kind: 'iceberg' | 'duckdb';
  /** The sample validation report, when one ran. */
  validation?: unknown;
  timings: { started_at: string; finished_at: string; plan_seconds?: number; validate_seconds?: number; run_seconds: number };
}

/** The manifest document. */
export function buildManifest(id: string, timestamp: string, m: ManifestInput): Record<string, unknown> {
  const { ledger, result } = m;
  const plan = ledger.plan;
  return {
    manifest_id: id,
    timestamp,
    floe_version: VERSION,
    run_id: ledger.run_id,
    plan_hash: plan.plan_hash,
    status: result.status,
    source: {
      url: ledger.source,
      dialect: m.source_dialect,
      table: ledger.table,
      schema_fingerprint: ledger.source_schema_fingerprint,
    },
    target: {
      name: ledger.target,
      kind: m.target_kind,
      write_mode: ledger.write_mode,
      key_columns: ledger.key_columns,
      schema_fingerprint: ledger.target_schema_fingerprint,
    },
    plan: {
      column: plan.column,
      strategy: plan.strategy,
      total_records: plan.total_records,
      windows: plan.windows,
      parallel_windows: plan.parallel_windows,
      estimated_duration_seconds: plan.estimated_duration_seconds,
    },
    validation: m.validation,
    result,
    timings: m.timings,
    invocations: ledger.invocations,
    windows: ledger.windows.map((w) => ({
      window_id: w.window_id,
      range: { column: plan.column, start: w.start_offset, end: w.end_offset },
      planned_records: w.planned_records,
      status: w.status,
      attempts: w.attempts,
      source_count: w.source_count,
      rows_read: w.rows_read,
      rows_written: w.rows_written,
      rows_quarantined: w.rows_quarantined,
      checksum: w.checksum,
      checksum_read_back: w.checksum_read_back,
      snapshot_id: w.snapshot_id,
      duration_ms: w.duration_ms,
      started_at: w.started_at,
      finished_at: w.finished_at,
      validation: w.validation,
      error: w.error,
      notes: w.notes,
    })),
  };
}

/** Writes the manifest JSON under `<warehouse>/_floe/manifests/`. */
export async function writeManifest(io: FileIO, warehouse: string, m: ManifestInput): Promise<ManifestRef> {
  const timestamp = new Date().toISOString();
  const manifest_id = `${m.ledger.run_id}-${timestamp.replace(/[-:.]/g, '').replace('T', 't').replace('Z', 'z')}`;
  const location = joinPath(warehouse, '_floe', 'manifests', `${manifest_id}.json`);
  await io.write(location, new TextEncoder().encode(stringifyJson(buildManifest(manifest_id, timestamp, m), 2)));
  return { manifest_id, location, timestamp };
}

const str = (v: unknown) => (v === undefined || v === null ? 'NULL' : quoteString(String(v)));

/** Appends the run's row to `floe_audit.backfill_runs` (created on first use). Returns the snapshot id. */
export async function appendAuditRow(catalog: Catalog, engine: Engine, ref: ManifestRef, m: ManifestInput): Promise<string> {
  const r = m.result;
  const l = m.ledger;
  const sql =
    `SELECT ${str(l.run_id)} AS run_id, ${str(ref.manifest_id)} AS manifest_id, ${str(ref.location)} AS manifest_location, ` +
    `${str(l.plan.plan_hash)} AS plan_hash, ${str(r.status)} AS status, ${str(l.source)} AS source, ${str(l.table)} AS source_table, ` +
    `${str(l.target)} AS target, ${str(l.write_mode)} AS write_mode, ${r.windows}::INTEGER AS windows, ` +
    `${r.processed}::INTEGER AS windows_committed, ${r.failed}::INTEGER AS windows_failed, ${r.skipped}::INTEGER AS windows_skipped, ` +
    `${r.rows_read}::BIGINT AS rows_read, ${r.rows_written}::BIGINT AS rows_written, ${r.rows_quarantined}::BIGINT AS rows_quarantined, ` +
    `${r.duration_seconds}::DOUBLE AS duration_seconds, ${r.rows_per_second}::DOUBLE AS rows_per_second, ` +
    `${str(l.source_schema_fingerprint)} AS source_schema_fingerprint, ${str(l.target_schema_fingerprint)} AS target_schema_fingerprint, ` +
    `${str(VERSION)} AS floe_version, ${str(m.timings.started_at)}::TIMESTAMPTZ AS started_at, ` +
    `${str(m.timings.finished_at)}::TIMESTAMPTZ AS finished_at, ${str(ref.timestamp)}::TIMESTAMPTZ AS recorded_at`;
  const res = await writeIceberg({ table: AUDIT_TABLE, write_mode: 'append', schema_evolution: { mode: 'permissive' } }, { sql }, {}, { catalog, engine });
  return res.snapshot_id;
}
