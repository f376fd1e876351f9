/**
 * What row-level operations (delete, upsert, merge) share: loading the table at a branch head, planning candidate
 * files, rewriting files (copy-on-write), and committing the result with conflict validation. The write modes are
 * Iceberg's table properties `write.delete.mode`, `write.update.mode`, `write.merge.mode`: `copy-on-write` (the
 * default, as in Iceberg) or `merge-on-read`.
 */
import { FloeError } from '../../../errors.js';
import { writeTableDataFiles } from '../../../engine/table-data-files.js';
import type { Engine } from '../../../engine/duckdb-engine.js';
import { buildScanSql, type ScanSqlOptions } from '../../../engine/scan-sql.js';
import type { DataFile } from '../../../iceberg/avro/manifest.js';
import type { Catalog, CatalogTable, TableIdentifier } from '../../../iceberg/catalog/catalog.js';
import type { Expression } from '../../../iceberg/expr/expression.js';
import type { Schema } from '../../../iceberg/spec/schema.js';
import { currentSchema } from '../../../iceberg/spec/table-metadata.js';
import { surelyNotCommitted, tableOf } from '../../../iceberg/table/commit.js';
import { planScan, type FileScanTask, type ScanPlan } from '../../../iceberg/table/scan-planner.js';
import type { AddedFile } from '../../../iceberg/table/snapshot-producer.js';
import type { Table } from '../../../iceberg/table/table.js';
import { commitSnapshot, type CommittedSnapshot } from '../../../iceberg/table/table-operations.js';
import { conflictValidator, deleteFileKey, type ConflictScope } from './conflicts.js';

/** How a row-level operation changes files. */
export type RowLevelMode = 'copy-on-write' | 'merge-on-read';

/** The mode a table property asks for (Iceberg's default: copy-on-write). */
export function rowLevelMode(props: Record<string, string>, property: string, override?: RowLevelMode): RowLevelMode {
  const value = override ?? props[property] ?? 'copy-on-write';
  if (value !== 'copy-on-write' && value !== 'merge-on-read') {
    throw new FloeError('CONFIG_INVALID', `${property} must be copy-on-write or merge-on-read, got ${JSON.stringify(value)}`, {
      context: { property, value },
    });
  }
  return value;
}

/** A table as an operation read it. */
export interface LoadedTable {
  catalogTable: CatalogTable;
  table: Table;
  schema: Schema;
  branch: string;
  /** The branch head the operation reads (undefined: the branch has no snapshot yet). */
  startingSnapshotId: bigint | undefined;
}

/** Loads `id` and notes its branch head. */
export async function loadTableAt(catalog: Catalog, id: TableIdentifier, branch = 'main'): Promise<LoadedTable> {
  const catalogTable = await catalog.loadTable(id);
  const md = catalogTable.metadata;
  const ref = md.refs[branch];
  if (branch !== 'main' && !ref) throw new FloeError('REF_NOT_FOUND', `no branch named '${branch}'`, { context: { ref: branch } });
  if (ref?.type === 'tag') throw new FloeError('INVALID_ARGUMENT', `'${branch}' is a tag: row-level changes go to branches`, { context: { ref: branch } });
  const head = ref?.['snapshot-id'] ?? (branch === 'main' ? md['current-snapshot-id'] : undefined);
  return {
    catalogTable,
    table: tableOf(catalogTable),
    schema: currentSchema(md),
    branch,
    startingSnapshotId: head === undefined || head === -1n ? undefined : head,
  };
}

/** Plans the files of the operation's snapshot that may hold rows matching `filter`. */
export async function planCandidates(loaded: LoadedTable, filter: Expression | undefined): Promise<ScanPlan> {
  if (loaded.startingSnapshotId === undefined) return { schema: loaded.schema, tasks: [], skipped: [], specs: new Map() };
  // Main reads the loaded metadata's current snapshot (its schema: the current one); another branch its head.
  const plan = await planScan(loaded.table, loaded.branch === 'main' ? { filter } : { ref: loaded.branch, filter });
  // Rows are read and written in the current schema, whatever the snapshot's was.
  return { ...plan, schema: loaded.schema };
}

/** Builds scan SQL over some tasks of a plan (optionally a subset of its columns); `use` runs with it. */
export async function withScan<T>(
  engine: Engine,
  loaded: LoadedTable,
  plan: ScanPlan,
  tasks: FileScanTask[],
  opts: ScanSqlOptions & { columns?: string[] },
  use: (sql: string) => Promise<T>,
): Promise<T> {
  const fields = opts.columns ? loaded.schema.fields.filter((f) => opts.columns!.includes(f.name)) : loaded.schema.fields;
  const sub: ScanPlan = { ...plan, tasks: tasks.map((t) => ({ ...t, deletes: [...t.deletes] })), schema: { ...loaded.schema, fields } };
  const scan = await buildScanSql(engine, loaded.table, sub, opts);
  try {
    return await use(scan.sql);
  } finally {
    await scan.cleanup();
  }
}

/** Writes the rows of `source` as data files of the table (current schema, default spec and sort order). */
export async function writeRows(engine: Engine, loaded: LoadedTable, source: string): Promise<DataFile[]> {
  const md = loaded.table.metadata;
  return (await writeTableDataFiles(engine, loaded.table.io, md, source)).files;
}

/** The files a row-level change adds and removes. */
export interface RowChange {
  /** New data files, in the table's default spec. */
  addedData: DataFile[];
  /** New delete files (any spec). */
  addedDeletes: AddedFile[];
  /** Recorded paths of data files removed (their rows rewritten or all deleted). */
  removedDataFiles: Set<string>;
  /** Delete files removed ({@link deleteFileKey}). */
  removedDeleteFiles: Set<string>;
  scope: ConflictScope;
  summary?: Record<string, string>;
  /** A further commit-time check of the caller's, run after the conflict validation on each attempt. */
  validate?: (base: Table) => Promise<void>;
}

/** The snapshot operation Iceberg records for a change (Java's BaseOverwriteFiles / BaseRowDelta). */
export function operationOf(c: RowChange): 'append' | 'overwrite' | 'delete' {
  const removes = c.removedDataFiles.size > 0 || c.addedDeletes.length > 0;
  if (c.addedData.length > 0) return removes ? 'overwrite' : 'append';
  return 'delete';
}

/** True when the change changes nothing (no snapshot is committed then). */
export function isEmptyChange(c: RowChange): boolean {
  return c.addedData.length === 0 && c.addedDeletes.length === 0 && c.removedDataFiles.size === 0 && c.removedDeleteFiles.size === 0;
}

/** Deletes files an operation wrote, when its commit surely did not land. */
export async function discardWritten(loaded: LoadedTable, c: Pick<RowChange, 'addedData' | 'addedDeletes'>): Promise<void> {
  const paths = new Set([...c.addedData.map((f) => f.file_path), ...c.addedDeletes.map((a) => a.file.file_path)]);
  await Promise.all([...paths].map((p) => loaded.table.io.delete(p).catch(() => undefined)));
}

/** Commits `change` on the operation's branch, validating it against concurrent commits on every attempt. */
export async function commitRowChange(catalog: Catalog, loaded: LoadedTable, change: RowChange): Promise<CommittedSnapshot> {
  const md = loaded.table.metadata;
  try {
    return await commitSnapshot(
      catalog,
      loaded.catalogTable.identifier,
      loaded.table.io,
      {
        operation: operationOf(change),
        branch: loaded.branch,
        added: change.addedData,
        specId: md['default-spec-id'],
        addedFiles: change.addedDeletes,
        // Nothing to remove (merge-on-read adding delete files only): no predicate, so the producer keeps the
        // base's manifests without reading them.
        ...(change.removedDataFiles.size > 0 || change.removedDeleteFiles.size > 0
          ? {
              removes: (f: DataFile) =>
                f.content === 0 ? change.removedDataFiles.has(f.file_path) : change.removedDeleteFiles.has(deleteFileKey(f)),
            }
          : {}),
        validate: composeValidators(conflictValidator(change.scope), change.validate),
        ...(change.summary ? { summary: change.summary } : {}),
      },
      { deleteOnFailure: true },
    );
  } catch (err) {
    if (surelyNotCommitted(err)) await discardWritten(loaded, change);
    throw err;
  }
}

/** Runs `first`, then `second` when given. */
function composeValidators(first: (base: Table) => Promise<void>, second?: (base: Table) => Promise<void>): (base: Table) => Promise<void> {
  if (!second) return first;
  return async (base) => {
    await first(base);
    await second(base);
  };
}
