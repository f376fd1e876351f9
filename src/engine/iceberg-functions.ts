/**
 * `iceberg_scan`, `iceberg_metadata` and `iceberg_snapshots` for DuckDB SQL, with the names, parameters and output
 * columns of DuckDB's iceberg extension (which cannot be installed here and is not needed). Each call is planned
 * by floe's own Iceberg reader and replaced by the SQL that reads its result.
 */
import { FloeError, isFloeError } from '../errors.js';
import type { Expression } from '../iceberg/expr/expression.js';
import type { FileIO } from '../iceberg/io/file-io.js';
import { loadSnapshotManifests } from '../iceberg/table/snapshot-manifests.js';
import { planScan, type ScanPlan } from '../iceberg/table/scan-planner.js';
import { openTable, selectSnapshot, type OpenTableOptions, type SnapshotSelector, type Table } from '../iceberg/table/table.js';
import type { Engine } from './duckdb-engine.js';
import { buildScanSql } from './scan-sql.js';
import { quoteString } from './sql-literals.js';

/** Parameter values of a call, already evaluated. */
export interface IcebergCallArgs {
  path: string;
  named: Map<string, unknown>;
}

/** Session state the functions depend on (DuckDB settings the iceberg extension defines). */
export interface IcebergSessionSettings {
  /** `SET unsafe_enable_version_guessing`: pick the newest metadata file when there is no version hint. */
  unsafeEnableVersionGuessing: boolean;
}

const LOCATE = ['version', 'version_name_format', 'metadata_compression_codec'];
// `ref` (a branch or tag name) is floe's addition to DuckDB's parameters.
const SNAPSHOT = ['allow_moved_paths', ...LOCATE, 'snapshot_from_id', 'snapshot_from_timestamp', 'ref'];
/** Named parameters each function takes, as DuckDB's iceberg extension defines them. */
const PARAMS: Record<string, string[]> = {
  iceberg_scan: SNAPSHOT,
  iceberg_metadata: SNAPSHOT,
  iceberg_snapshots: LOCATE,
};

function str(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}

/** Opens the table a call names, checking its parameters. */
export async function openForCall(
  io: FileIO,
  fn: string,
  args: IcebergCallArgs,
  settings: IcebergSessionSettings,
): Promise<{ table: Table; selector: SnapshotSelector }> {
  for (const name of args.named.keys()) {
    if (!PARAMS[fn].includes(name)) {
      throw new FloeError('INVALID_ARGUMENT', `${fn} has no parameter '${name}' (it takes: ${PARAMS[fn].join(', ')})`);
    }
  }
  const opts: OpenTableOptions = {
    version: str(args.named.get('version')),
    versionNameFormat: str(args.named.get('version_name_format')),
    metadataCompressionCodec: str(args.named.get('metadata_compression_codec')),
    allowGuessing: settings.unsafeEnableVersionGuessing,
    allowMovedPaths: Boolean(args.named.get('allow_moved_paths') ?? false),
  };
  const table = await openTable(io, args.path, opts);
  const selector: SnapshotSelector = {};
  const id = args.named.get('snapshot_from_id');
  if (id !== undefined && id !== null) selector.snapshotId = BigInt(id as bigint);
  const ts = args.named.get('snapshot_from_timestamp');
  if (ts !== undefined && ts !== null) selector.asOfTimestampMs = toEpochMs(ts);
  const ref = args.named.get('ref');
  if (ref !== undefined && ref !== null) selector.ref = String(ref);
  if (Object.keys(selector).length > 1) {
    throw new FloeError('INVALID_ARGUMENT', 'give one of snapshot_from_id, snapshot_from_timestamp and ref');
  }
  return { table, selector };
}

function toEpochMs(v: unknown): bigint {
  if (v instanceof Date) return BigInt(v.getTime());
  if (typeof v === 'bigint' || typeof v === 'number') return BigInt(v);
  const t = Date.parse(String(v).replace(' ', 'T') + (/[zZ]|[+-]\d\d:?\d\d$/.test(String(v)) ? '' : 'Z'));
  if (Number.isNaN(t)) throw new FloeError('INVALID_ARGUMENT', `snapshot_from_timestamp is not a timestamp: ${String(v)}`);
  return BigInt(t);
}

/** The SQL replacing an `iceberg_scan` call, and the plan behind it. */
export async function icebergScanSql(
  engine: Engine,
  table: Table,
  selector: SnapshotSelector,
  filter: Expression | undefined,
  includeFilename: boolean,
): Promise<{ sql: string; plan: ScanPlan; cleanup: () => Promise<void> }> {
  let plan: ScanPlan;
  try {
    plan = await planScan(table, { ...selector, filter });
  } catch (err) {
    // A predicate floe cannot bind (a column of another relation, a literal of another type) only loses
    // pruning: DuckDB still evaluates the query's WHERE clause on every row.
    if (!filter || !isFloeError(err, 'INVALID_ARGUMENT')) throw err;
    plan = await planScan(table, selector);
  }
  const built = await buildScanSql(engine, table, plan, { includeFilename });
  return { sql: built.sql, plan, cleanup: built.cleanup };
}

const STATUS = ['EXISTING', 'ADDED', 'DELETED'];
const CONTENT = ['DATA', 'POSITION_DELETES', 'EQUALITY_DELETES'];

function sqlNum(v: bigint | number | null | undefined): string {
  return v === null || v === undefined ? 'NULL' : String(v);
}

/** The SQL replacing an `iceberg_metadata` call: one row per manifest entry of the snapshot. */
export async function icebergMetadataSql(table: Table, selector: SnapshotSelector): Promise<string> {
  const snapshot = selectSnapshot(table.metadata, selector);
  const cols =
    'CAST(a AS VARCHAR) AS manifest_path, CAST(b AS BIGINT) AS manifest_sequence_number, ' +
    'CAST(c AS VARCHAR) AS manifest_content, CAST(d AS VARCHAR) AS status, CAST(e AS VARCHAR) AS content, ' +
    'CAST(f AS VARCHAR) AS file_path, CAST(g AS VARCHAR) AS file_format, CAST(h AS BIGINT) AS record_count, ' +
    'CAST(i AS BIGINT) AS data_sequence_number, CAST(j AS BIGINT) AS file_sequence_number';
  const rows: string[] = [];
  if (snapshot) {
    for (const { manifest, entries } of await loadSnapshotManifests(table, snapshot)) {
      for (const e of entries) {
        const values = [
          quoteString(manifest.manifest_path),
          sqlNum(manifest.sequence_number),
          quoteString(manifest.content === 0 ? 'DATA' : 'DELETE'),
          quoteString(STATUS[e.status] ?? String(e.status)),
          quoteString(CONTENT[e.data_file.content] ?? String(e.data_file.content)),
          quoteString(e.data_file.file_path),
          quoteString(e.data_file.file_format),
          sqlNum(e.data_file.record_count),
          sqlNum(e.sequence_number),
          sqlNum(e.file_sequence_number),
        ];
        rows.push(`(${values.join(', ')})`);
      }
    }
  }
  const where = rows.length === 0 ? ' WHERE false' : '';
  if (rows.length === 0) rows.push('(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)');
  return `(SELECT ${cols} FROM (VALUES ${rows.join(', ')}) AS v(a, b, c, d, e, f, g, h, i, j)${where})`;
}

/** The SQL replacing an `iceberg_snapshots` call: one row per snapshot, typed as DuckDB's extension types them. */
export function icebergSnapshotsSql(table: Table): string {
  const cols =
    'CAST(s AS UBIGINT) AS sequence_number, CAST(i AS UBIGINT) AS snapshot_id, ' +
    'CAST(epoch_ms(t) AS TIMESTAMP_MS) AS timestamp_ms, CAST(m AS VARCHAR) AS manifest_list, CAST(o AS VARCHAR) AS operation';
  const rows = table.metadata.snapshots.map(
    (s) =>
      `(${s['sequence-number']}, ${s['snapshot-id']}, ${s['timestamp-ms']}, ` +
      `${s['manifest-list'] ? quoteString(s['manifest-list']) : 'NULL'}, ${quoteString(s.summary?.operation ?? 'append')})`,
  );
  if (rows.length === 0) rows.push('(0, 0, 0, NULL, NULL)');
  const where = table.metadata.snapshots.length === 0 ? ' WHERE false' : '';
  return `(SELECT ${cols} FROM (VALUES ${rows.join(', ')}) AS v(s, i, t, m, o)${where})`;
}
