/**
 * An Iceberg table as a backfill target. Each window is written once as data files (through DuckDB, outside the
 * commit retry loop), reconciled against what was extracted by reading those very files back with floe's reader,
 * and committed as ONE snapshot whose summary names the run, the window and the plan (see window-commits.ts). A
 * window that fails before its commit leaves nothing behind: its files are deleted.
 *
 * Modes: `append` adds the window's rows; `overwrite` replaces the rows of the window's key range in the same
 * commit (files that may hold such rows, chosen by partition values and column bounds, are rewritten without
 * them: copy-on-write, spec "Overwrite"); `upsert` merges the window's rows by the key columns (row-level upsert:
 * copy-on-write or merge-on-read per the table's `write.update.mode`), in one snapshot carrying the same ids.
 */
import { createHash } from 'node:crypto';
import { writeTableDataFiles } from '../engine/table-data-files.js';
import { FloeError, isFloeError } from '../errors.js';
import type { Engine } from '../engine/duckdb-engine.js';
import { schemaFromDuckDB } from '../engine/duckdb-type-parser.js';
import { StepTimer } from '../engine/step-timer.js';
import { buildScanSql } from '../engine/scan-sql.js';
import { describeSource } from '../engine/write-projection.js';
import { duckdbType, quoteIdent } from '../engine/sql-literals.js';
import type { DataFile } from '../iceberg/avro/manifest.js';
import type { Catalog, CatalogTable, TableIdentifier } from '../iceberg/catalog/catalog.js';
import { parseTableName } from '../iceberg/catalog/open-catalog.js';
import type { Expression } from '../iceberg/expr/expression.js';
import { and } from '../iceberg/expr/expression.js';
import type { Schema } from '../iceberg/spec/schema.js';
import { currentSchema, defaultSpec, schemaToJson } from '../iceberg/spec/table-metadata.js';
import type { PrimitiveValue } from '../iceberg/spec/types.js';
import { tableOf } from '../iceberg/table/commit.js';
import { liveDataFiles } from '../iceberg/table/live-files.js';
import { planScan, type ScanPlan } from '../iceberg/table/scan-planner.js';
import { appendFiles, overwriteFiles, type CommittedSnapshot } from '../iceberg/table/table-operations.js';
import { mergeInto } from '../warehouses/iceberg/row-level/merge.js';
import { upsertSpec } from '../warehouses/iceberg/row-level/merge-spec.js';
import type { KeyRange } from '../sources/extract.js';
import { canonicalJson } from '../sources/fingerprint.js';
import { checksumOf, type ChecksumColumn } from './checksum.js';
import { rangePredicate } from './range-sql.js';
import { quarantineTableOf, writeQuarantine } from './quarantine.js';
import { committedWindows, notYetCommitted, windowSummary } from './window-commits.js';
import type { WriteMode } from './types.js';

/** One window to write. */
export interface WindowWrite {
  runId: string;
  windowId: string;
  planHash: string;
  range?: KeyRange;
  /** Rows to quarantine (a DuckDB relation shaped by quarantineRelation), when the window has any. */
  quarantine?: string;
}

/** What writing a window did. */
export interface WindowWriteResult {
  rows_written: bigint;
  /** Checksum of the rows as projected for writing, and of the written files read back. */
  checksum: string;
  checksum_read_back: string;
  rows_read_back: bigint;
  snapshot_id?: string;
  files_written: number;
  rows_quarantined: bigint;
}

/** Where a backfill's windows go: an Iceberg table or a DuckDB table. */
export interface BackfillTarget {
  readonly kind: 'iceberg' | 'duckdb';
  /** The target as the user named it. */
  readonly name: string;
  /** sha256 of the target schema's canonical JSON. */
  schemaFingerprint(): string;
  /** Windows of `runId` already committed to the target (window id → snapshot id or marker). */
  committedWindows(runId: string): Promise<Map<string, string>>;
  /** Writes the rows of `relation` (a DuckDB table in `engine`) as the window's one commit. */
  writeWindow(engine: Engine, relation: string, w: WindowWrite): Promise<WindowWriteResult>;
  close(): Promise<void>;
}

/** Columns a DuckDB type list describes, as the extractor reports them. */
export interface TargetColumn {
  name: string;
  type: string;
  nullable: boolean;
}

/** sha256 of a value's canonical JSON. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/** The checksum columns of a schema, with their relation-side SQL (a missing optional column reads as NULL). */
function checksumColumns(schema: Schema): ChecksumColumn[] {
  return schema.fields.filter((f) => f.type !== 'unknown').map((f) => ({ name: f.name, type: duckdbType(f.type) }));
}

/** The relation's rows shaped like the table (columns by name, absent ones NULL), for the source-side checksum. */
async function projectedRelation(engine: Engine, relation: string, schema: Schema): Promise<string> {
  const have = (await describeSource(engine, relation)).map((c) => c.name);
  const items = schema.fields
    .filter((f) => f.type !== 'unknown')
    .map((f) => {
      const name = have.find((h) => h === f.name) ?? have.find((h) => h.toLowerCase() === f.name.toLowerCase());
      return `${name === undefined ? 'NULL' : quoteIdent(name)} AS ${quoteIdent(f.name)}`;
    });
  return `(SELECT ${items.join(', ')} FROM ${relation})`;
}

/** A scan plan over exactly `files` (no deletes apply: they were just written). */
function planOf(ct: CatalogTable, files: DataFile[], specId: number): ScanPlan {
  const md = ct.metadata;
  return {
    schema: currentSchema(md),
    tasks: files.map((file) => ({ file, readPath: file.file_path, specId, dataSequenceNumber: 0n, deletes: [] })),
    skipped: [],
    specs: new Map(md['partition-specs'].map((s) => [s['spec-id'], s] as const)),
  };
}

/** The scan filter of a key range (for choosing the files an overwrite must rewrite). */
function rangeFilter(range: KeyRange): Expression {
  let e: Expression = { kind: 'true' };
  if (range.start !== null) e = and(e, { kind: 'compare', op: 'gte', column: range.column, value: range.start as PrimitiveValue });
  if (range.end !== null) e = and(e, { kind: 'compare', op: 'lt', column: range.column, value: range.end as PrimitiveValue });
  return range.includeNulls ? { kind: 'true' } : e;
}

/** An Iceberg table in a catalog, opened (or created from the source's columns) for a backfill. */
export class IcebergTarget implements BackfillTarget {
  readonly kind = 'iceberg' as const;

  private constructor(
    private readonly catalog: Catalog,
    private readonly id: TableIdentifier,
    readonly name: string,
    private readonly mode: WriteMode,
    private table: CatalogTable,
    private readonly keyColumns: string[] = [],
  ) {}

  /**
   * Loads `tableName`, or creates it (and its namespace) with the source's columns: NOT NULL columns become
   * required fields. `upsert` needs key columns.
   */
  static async open(catalog: Catalog, tableName: string, columns: TargetColumn[], mode: WriteMode, keyColumns: string[] = []): Promise<IcebergTarget> {
    if (mode === 'upsert' && keyColumns.length === 0) {
      throw new FloeError('INVALID_ARGUMENT', 'write_mode upsert needs key_columns (--key)', { context: { write_mode: mode } });
    }
    const id = parseTableName(tableName);
    return new IcebergTarget(catalog, id, tableName, mode, await ensureIcebergTable(catalog, id, columns), keyColumns);
  }

  /** The table as last loaded. */
  get catalogTable(): CatalogTable {
    return this.table;
  }

  schemaFingerprint(): string {
    return fingerprint(schemaToJson(currentSchema(this.table.metadata)));
  }

  async committedWindows(runId: string): Promise<Map<string, string>> {
    this.table = await this.catalog.loadTable(this.id);
    return new Map([...committedWindows(this.table.metadata, runId)].map(([w, s]) => [w, s.toString()]));
  }

  async writeWindow(engine: Engine, relation: string, w: WindowWrite): Promise<WindowWriteResult> {
    // The quarantine commit goes first: a crash between the two leaves a window that is re-run, whose quarantine
    // commit is then found and skipped, never the target's rows without their rejected ones.
    const quarantined = w.quarantine ? (await writeQuarantine(this.catalog, quarantineTableOf(this.id), engine, w.quarantine, w)).rows : 0n;
    const ct = await this.catalog.loadTable(this.id);
    this.table = ct;
    const md = ct.metadata;
    const schema = currentSchema(md);
    const spec = defaultSpec(md);
    const write = (source: string) => writeTableDataFiles(engine, ct.io, md, source);
    const timer = new StepTimer(`write ${w.windowId}`);
    if (this.mode === 'upsert') return this.upsertWindow(engine, relation, w, schema, quarantined);
    const written = await write(relation);
    timer.lap('parquet');
    const files = [...written.files];
    const dropWritten = () => Promise.all(files.map((f) => ct.io.delete(f.file_path).catch(() => undefined)));
    try {
      const columns = checksumColumns(schema);
      const source = await checksumOf(engine, await projectedRelation(engine, relation, schema), columns);
      timer.lap('checksum');
      const back = await this.readBack(engine, ct, written.files, spec['spec-id'], columns);
      timer.lap('readback');
      if (source.rows !== written.rowCount || back.rows !== written.rowCount || back.checksum !== source.checksum) {
        throw new FloeError(
          'RECONCILIATION_FAILED',
          `window ${w.windowId}: the written files do not hold the extracted rows (rows ${source.rows} extracted, ` +
            `${written.rowCount} written, ${back.rows} read back; checksum ${source.checksum} vs ${back.checksum})`,
          { context: { window_id: w.windowId, rows_extracted: source.rows.toString(), rows_written: written.rowCount.toString(), rows_read_back: back.rows.toString() } },
        );
      }
      const summary = windowSummary(w.runId, w.windowId, w.planHash);
      const validate = notYetCommitted(w.runId, w.windowId);
      let committed: CommittedSnapshot;
      if (this.mode === 'overwrite' && w.range) {
        const kept = await this.rewriteRange(engine, ct, w.range, write);
        files.push(...kept.files);
        const removed = kept.removed;
        committed = await overwriteFiles(this.catalog, this.id, ct.io, files, (f) => removed.has(f.file_path), {
          specId: spec['spec-id'],
          summary: { ...summary, 'floe.backfill.mode': 'overwrite' },
          validate: async (base) => {
            await validate(base);
            // The files chosen for rewriting must still be live: otherwise their kept rows were decided on a table
            // that has changed since, and the window is redone from a fresh read (a retryable conflict).
            const live = new Set((await liveDataFiles(base)).map((x) => x.file.file_path));
            for (const p of removed) {
              if (!live.has(p)) throw new FloeError('COMMIT_CONFLICT', `file ${p} was removed by another commit while window ${w.windowId} was rewritten`, { retryable: true });
            }
          },
        });
      } else {
        committed = await appendFiles(this.catalog, this.id, ct.io, files, { specId: spec['spec-id'], summary, validate });
      }
      timer.lap('commit');
      return {
        rows_written: written.rowCount,
        checksum: source.checksum,
        checksum_read_back: back.checksum,
        rows_read_back: back.rows,
        snapshot_id: committed.snapshot['snapshot-id'].toString(),
        files_written: files.length,
        rows_quarantined: quarantined,
      };
    } catch (err) {
      // commitSnapshot already deleted the files when the commit surely failed and kept them when its state is
      // unknown; before the commit nothing references them.
      if (!isFloeError(err, 'COMMIT_STATE_UNKNOWN') && !isFloeError(err, 'CATALOG_UNAVAILABLE')) await dropWritten();
      throw err;
    }
  }

  /**
   * `upsert`: the window's rows merged by key in one snapshot (matched keys updated, new keys inserted) that
   * carries the window's ids and is refused at commit time when the window is already committed. Reconciliation:
   * every extracted row must have been inserted or updated (the table's other rows are not the source's to
   * check), and the checksum of the rows as projected is recorded.
   */
  private async upsertWindow(engine: Engine, relation: string, w: WindowWrite, schema: Schema, quarantined: bigint): Promise<WindowWriteResult> {
    const source = await checksumOf(engine, await projectedRelation(engine, relation, schema), checksumColumns(schema));
    const merged = await mergeInto(this.catalog, this.id, engine, relation, upsertSpec(this.keyColumns), {
      upsert: true,
      summary: { ...windowSummary(w.runId, w.windowId, w.planHash), 'floe.backfill.mode': 'upsert' },
      validate: notYetCommitted(w.runId, w.windowId),
    });
    const applied = BigInt(merged.rows_inserted + merged.rows_updated);
    // Read back: the committed snapshot's rows with the window's keys must be exactly the extracted rows (an
    // upsert sets every column from the source), found by floe's reader with the window's range pruning files.
    const ct = await this.catalog.loadTable(this.id);
    const snapshotId = merged.snapshot_id === null ? undefined : BigInt(merged.snapshot_id);
    const plan = await planScan(tableOf(ct), { ...(snapshotId === undefined ? {} : { snapshotId }), ...(w.range ? { filter: rangeFilter(w.range) } : {}) });
    const { sql, cleanup } = await buildScanSql(engine, tableOf(ct), plan);
    let back;
    try {
      const on = this.keyColumns.map((k) => `t.${quoteIdent(k)} IS NOT DISTINCT FROM s.${quoteIdent(k)}`).join(' AND ');
      back = await checksumOf(engine, `(SELECT t.* FROM ${sql} AS t SEMI JOIN ${relation} AS s ON ${on})`, checksumColumns(schema));
    } finally {
      await cleanup();
    }
    if (applied !== source.rows || back.rows !== source.rows || back.checksum !== source.checksum) {
      throw new FloeError(
        'RECONCILIATION_FAILED',
        `window ${w.windowId}: ${source.rows} rows extracted, ${applied} inserted or updated, ${back.rows} with its keys read back ` +
          `(checksum ${source.checksum} vs ${back.checksum}; snapshot ${merged.snapshot_id ?? 'none'})`,
        { context: { window_id: w.windowId, rows_extracted: source.rows.toString(), rows_applied: applied.toString(), rows_read_back: back.rows.toString() } },
      );
    }
    return {
      rows_written: applied,
      checksum: source.checksum,
      checksum_read_back: back.checksum,
      rows_read_back: back.rows,
      ...(merged.snapshot_id ? { snapshot_id: merged.snapshot_id } : {}),
      files_written: merged.files_written,
      rows_quarantined: quarantined,
    };
  }

  /** Reads `files` back with floe's reader and checksums them. */
  private async readBack(engine: Engine, ct: CatalogTable, files: DataFile[], specId: number, columns: ChecksumColumn[]) {
    if (files.length === 0) return { rows: 0n, checksum: '0' };
    const { sql, cleanup } = await buildScanSql(engine, tableOf(ct), planOf(ct, files, specId));
    try {
      return await checksumOf(engine, sql, columns);
    } finally {
      await cleanup();
    }
  }

  /**
   * For `overwrite`: the live files that may hold rows of `range` (by partition values and column bounds), and new
   * files holding their rows outside the range, which replace them in the window's commit.
   */
  private async rewriteRange(
    engine: Engine,
    ct: CatalogTable,
    range: KeyRange,
    write: (source: string) => Promise<{ files: DataFile[] }>,
  ): Promise<{ files: DataFile[]; removed: Set<string> }> {
    const plan = await planScan(tableOf(ct), { filter: rangeFilter(range) });
    if (plan.tasks.length === 0) return { files: [], removed: new Set() };
    const { sql, cleanup } = await buildScanSql(engine, tableOf(ct), plan);
    try {
      const outside = `(SELECT * FROM ${sql} AS __floe_old WHERE NOT coalesce(${rangePredicate(range, '__floe_old')}, false))`;
      const kept = await write(outside);
      return { files: kept.files, removed: new Set(plan.tasks.map((t) => t.file.file_path)) };
    } finally {
      await cleanup();
    }
  }

  async close(): Promise<void> {
    // The catalog belongs to the caller.
  }
}

/** Loads the table or creates it (namespace included) from the source's columns. */
export async function ensureIcebergTable(catalog: Catalog, id: TableIdentifier, columns: TargetColumn[], properties?: Record<string, string>): Promise<CatalogTable> {
  try {
    return await catalog.loadTable(id);
  } catch (err) {
    if (!isFloeError(err, 'TABLE_NOT_FOUND')) throw err;
  }
  const schema = schemaFromDuckDB(columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })));
  if (!(await catalog.namespaceExists(id.namespace))) {
    await catalog.createNamespace(id.namespace).catch((e) => {
      if (!isFloeError(e, 'NAMESPACE_ALREADY_EXISTS')) throw e;
    });
  }
  try {
    return await catalog.createTable(id, { schema, formatVersion: 2, properties });
  } catch (err) {
    if (isFloeError(err, 'TABLE_ALREADY_EXISTS')) return catalog.loadTable(id);
    throw err;
  }
}
