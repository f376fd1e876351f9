/**
 * The `iceberg.writer` component (REQUIREMENTS.md §1): writes rows to an Iceberg table with ACID commits. Its
 * configuration keys and its result fields are a public contract. Data files are written once through DuckDB,
 * then committed with retries; a commit that surely failed removes what it wrote.
 */
import { FloeError, isFloeError } from '../../errors.js';
import { writeTableDataFiles } from '../../engine/table-data-files.js';
import { normalizeFloeConfig } from '../../config/floe-config.js';
import { Engine } from '../../engine/duckdb-engine.js';
import { schemaFromDuckDB } from '../../engine/duckdb-type-parser.js';
import type { Catalog, CatalogTable, TableIdentifier } from '../../iceberg/catalog/catalog.js';
import { openCatalog, parseTableName } from '../../iceberg/catalog/open-catalog.js';
import { createFileIO } from '../../iceberg/io/file-io-for.js';
import { buildPartitionSpec, type PartitionFieldInput } from '../../iceberg/spec/partition-builder.js';
import { currentSchema, defaultSpec } from '../../iceberg/spec/table-metadata.js';
import { partitionKey } from '../../iceberg/table/delete-index.js';
import { appendFiles, overwriteFiles, type CommittedSnapshot } from '../../iceberg/table/table-operations.js';
import { prepareInput, type WriteInput } from './write-input.js';
import { alterTable } from '../../iceberg/table/alter-table.js';
import { filesMatchingFilter, decidedPerFile, rowsAllMatch } from './overwrite-filter.js';
import { deleteRows } from './row-level/delete-rows.js';
import type { DataFile } from '../../iceberg/avro/manifest.js';
import { tableOf } from '../../iceberg/table/commit.js';
import { liveDataFiles } from '../../iceberg/table/live-files.js';
import { mergeSpecOf, runMergeWrite } from './row-level/merge-write.js';
import type { MergeSpec } from './row-level/merge-spec.js';

/** The configuration of an Iceberg write (public contract: REQUIREMENTS.md §1). */
export interface IcebergWriterConfig {
  catalog?: 'sql' | 'rest' | 'hadoop' | 'memory' | 'glue' | 'hive';
  catalog_config?: Record<string, unknown>;
  /** `namespace.table` (namespaces may be multi-level). */
  table: string;
  write_mode?: 'append' | 'overwrite' | 'upsert' | 'merge';
  partition_spec?: PartitionFieldInput[];
  schema_evolution?: { enabled?: boolean; mode?: 'strict' | 'permissive' };
  /** floe: create the table (and its namespace) when missing; default true. */
  create?: boolean;
  /** floe: with `overwrite`, replace only the partitions the new rows fall in (dynamic partition overwrite). */
  overwrite_partitions?: boolean;
  /**
   * floe: with `overwrite`, replace the rows matching this DuckDB SQL predicate (e.g. `region = 'eu'`); the written
   * rows must match it. Decided per file on identity-partition columns, else by a row-level delete.
   */
  overwrite_filter?: string;
  /** floe: format version of a created table (2 by default). */
  format_version?: 2 | 3;
  /** floe: table properties of a created table. */
  properties?: Record<string, string>;
  /** floe: branch to commit to (default `main`). */
  branch?: string;
  /** `upsert`: the columns identifying a row (docs/row-level-changes.md). */
  key_columns?: string[];
  /** `merge`: `{on, when_matched, when_not_matched}` with SQL MERGE semantics (docs/row-level-changes.md). */
  merge?: MergeSpec;
  /** floe, `upsert`: `equality` writes the incoming keys as an equality delete file instead of reading the table. */
  delete_files?: 'position' | 'equality';
}

/** What a write returns (public contract). */
export interface WriteResult {
  rows_written: number;
  files_written: number;
  snapshot_id: string;
  table_location: string;
  /** upsert/merge: rows inserted, updated and deleted; data files rewritten; delete files written. */
  rows_inserted?: number;
  rows_updated?: number;
  rows_deleted?: number;
  files_rewritten?: number;
  delete_files_written?: number;
}

/** How a driver observes a write: metrics and events (the pipeline framework's `ctx`). */
export interface WriterContext {
  log_metric?(name: string, value: number, tags?: Record<string, string>): void;
  emit?(event: string, payload: Record<string, unknown>): void;
}

/** Objects a caller may lend the writer instead of it opening its own. */
export interface WriterDeps {
  catalog?: Catalog;
  engine?: Engine;
}

async function catalogFor(config: IcebergWriterConfig): Promise<Catalog> {
  const cc = config.catalog_config ?? {};
  const floe = normalizeFloeConfig({ catalog: config.catalog ?? 'sql', catalog_config: cc });
  return openCatalog(floe);
}

async function ensureTable(
  catalog: Catalog,
  id: TableIdentifier,
  config: IcebergWriterConfig,
  engine: Engine,
  relation: string | undefined,
): Promise<CatalogTable> {
  try {
    return await catalog.loadTable(id);
  } catch (err) {
    if (!isFloeError(err, 'TABLE_NOT_FOUND') || config.create === false || relation === undefined) throw err;
  }
  const described = await (await engine.run(`DESCRIBE SELECT * FROM ${relation}`)).getRowsJS();
  const schema = schemaFromDuckDB(described.map((r) => ({ name: String(r[0]), type: String(r[1]) })));
  const spec = buildPartitionSpec(schema, config.partition_spec ?? []);
  if (!(await catalog.namespaceExists(id.namespace))) {
    await catalog.createNamespace(id.namespace).catch((e) => {
      if (!isFloeError(e, 'NAMESPACE_ALREADY_EXISTS')) throw e;
    });
  }
  try {
    return await catalog.createTable(id, {
      schema,
      partitionSpec: spec,
      properties: config.properties,
      formatVersion: config.format_version ?? 2,
    });
  } catch (err) {
    // Another writer created it first: write into theirs.
    if (isFloeError(err, 'TABLE_ALREADY_EXISTS')) return catalog.loadTable(id);
    throw err;
  }
}

/**
 * `schema_evolution: permissive`: the table's schema becomes the union by name of itself and the data's (new
 * columns added as optional, safe promotions applied) before the write; incompatible changes are refused with
 * `SCHEMA_MISMATCH` listing each difference, and nothing is written.
 */
async function evolveForData(catalog: Catalog, id: TableIdentifier, engine: Engine, relation: string): Promise<CatalogTable> {
  const described = await (await engine.run(`DESCRIBE SELECT * FROM ${relation}`)).getRowsJS();
  const incoming = schemaFromDuckDB(described.map((r) => ({ name: String(r[0]), type: String(r[1]) })));
  try {
    await alterTable(catalog, id, (u) => u.unionByName(incoming));
  } catch (err) {
    if (isFloeError(err, 'INVALID_ARGUMENT') && Array.isArray(err.context.differences)) {
      throw new FloeError('SCHEMA_MISMATCH', `the data's schema cannot be merged into the table's: ${err.message}`, {
        cause: err,
        context: { differences: err.context.differences },
      });
    }
    throw err;
  }
  return catalog.loadTable(id);
}

/** Writes `input` to the configured table and commits one snapshot. */
export async function writeIceberg(
  config: IcebergWriterConfig,
  input: WriteInput,
  ctx: WriterContext = {},
  deps: WriterDeps = {},
): Promise<WriteResult> {
  const mode = config.write_mode ?? 'append';
  const rowLevel = mode === 'upsert' || mode === 'merge';
  if (rowLevel) mergeSpecOf(config);
  if (!rowLevel && mode !== 'append' && mode !== 'overwrite') {
    throw new FloeError('CONFIG_INVALID', `unknown write_mode '${String(mode)}' (append, overwrite, upsert, merge)`, {
      context: { key: 'write_mode' },
    });
  }
  const permissive = config.schema_evolution?.enabled !== false && config.schema_evolution?.mode === 'permissive';
  const evolutionMode = config.schema_evolution?.mode;
  if (evolutionMode !== undefined && evolutionMode !== 'strict' && evolutionMode !== 'permissive') {
    throw new FloeError('CONFIG_INVALID', `schema_evolution.mode must be strict or permissive, got ${String(evolutionMode)}`, {
      context: { key: 'schema_evolution.mode' },
    });
  }
  const id = parseTableName(config.table);
  const catalog = deps.catalog ?? (await catalogFor(config));
  const engine = deps.engine ?? (await Engine.create());
  try {
    const ioFor = (path: string) => createFileIO(path);
    let table: CatalogTable | undefined;
    try {
      table = await catalog.loadTable(id);
    } catch (err) {
      if (!isFloeError(err, 'TABLE_NOT_FOUND')) throw err;
    }
    const prepared = await prepareInput(engine, input, table ? currentSchema(table.metadata) : undefined, ioFor);
    const createdHere = table === undefined;
    let committedOnce = false;
    try {
      table ??= await ensureTable(catalog, id, config, engine, prepared.relation);
      if (permissive && !createdHere) table = await evolveForData(catalog, id, engine, prepared.relation);
      if (rowLevel) {
        const merged = await runMergeWrite(config, catalog, id, engine, prepared.relation);
        committedOnce = merged.snapshot_id !== null;
        const { snapshot_id, mode: _mode, manifest_files, ...counts } = merged;
        const result: WriteResult = { ...counts, snapshot_id: snapshot_id ?? String(table.metadata['current-snapshot-id'] ?? '') };
        ctx.log_metric?.('rows_written', result.rows_written, { table: config.table });
        ctx.log_metric?.('files_written', result.files_written, { table: config.table });
        if (snapshot_id !== null) ctx.emit?.('iceberg.write.complete', { table: config.table, snapshot_id, manifest_files });
        return result;
      }
      const md = table.metadata;
      const schema = currentSchema(md);
      const spec = defaultSpec(md);
      const written = await writeTableDataFiles(engine, table.io, md, prepared.relation);
      let committed: CommittedSnapshot;
      const extra = { branch: config.branch, specId: spec['spec-id'] };
      if (mode === 'append') {
        committed = await appendFiles(catalog, id, table.io, written.files, extra);
      } else if (config.overwrite_filter !== undefined) {
        const filter = config.overwrite_filter;
        const specs = new Map(md['partition-specs'].map((p) => [p['spec-id'], p] as const));
        const perFile = await decidedPerFile(engine, filter, schema, specs, written.files, spec['spec-id']);
        if (perFile === 'mismatch' || (perFile === 'rows' && !(await rowsAllMatch(engine, prepared.relation, filter)))) {
          await Promise.all(written.files.map((f) => table!.io.delete(f.file_path).catch(() => undefined)));
          throw new FloeError('INVALID_ARGUMENT', `the rows written do not all match the overwrite filter ${filter}`, {
            context: { filter },
          });
        }
        if (perFile === 'files') {
          // Decided against each attempt's base inside the producer would need async evaluation there; the files a
          // filter removes are fixed by their partition values, so deciding once on the current files is exact.
          const current = await liveDataFiles(tableOf(await catalog.loadTable(id)));
          const matches = await filesMatchingFilter(engine, filter, schema, specs, current);
          const remove = new Set(current.filter((_, i) => matches[i]).map((c) => c.file.file_path));
          committed = await overwriteFiles(catalog, id, table.io, written.files, (f) => remove.has(f.file_path), {
            ...extra,
            summary: { 'floe.overwrite-filter': filter },
          });
        } else {
          // A filter on other columns: a row-level delete of the matching rows (copy-on-write or merge-on-read
          // per write.delete.mode) and the new rows, in one snapshot validated against concurrent commits. The
          // files written above serve the first run; a re-run after a conflict writes its own (the old ones are
          // removed with the failed commit).
          const io = table.io;
          let first: DataFile[] | undefined = written.files;
          const res = await deleteRows(catalog, id, filter, {
            engine,
            ...(config.branch ? { branch: config.branch } : {}),
            summary: { 'floe.overwrite-filter': filter },
            insert: async () => {
              if (first) {
                const files = first;
                first = undefined;
                return files;
              }
              const now = (await catalog.loadTable(id)).metadata;
              return (await writeTableDataFiles(engine, io, now, prepared.relation)).files;
            },
          });
          const after = await catalog.loadTable(id);
          const snap = after.metadata.snapshots.find((x) => x['snapshot-id'].toString() === res.snapshot_id);
          if (!snap) throw new FloeError('INTERNAL', `the overwrite's snapshot ${res.snapshot_id} is not in the table`);
          committed = { snapshot: snap, metadata: after.metadata, metadataLocation: after.metadataLocation, attempts: 1 };
        }
      } else if (config.overwrite_partitions) {
        const touched = new Set(written.files.map((f) => partitionKey(spec['spec-id'], f.partition)));
        committed = await overwriteFiles(catalog, id, table.io, written.files, (f, specId) => touched.has(partitionKey(specId, f.partition)), extra);
      } else {
        committed = await overwriteFiles(catalog, id, table.io, written.files, () => true, extra);
      }
      committedOnce = true;
      const result: WriteResult = {
        rows_written: Number(written.rowCount),
        files_written: written.files.length,
        snapshot_id: committed.snapshot['snapshot-id'].toString(),
        table_location: committed.metadata.location,
      };
      ctx.log_metric?.('rows_written', result.rows_written, { table: config.table });
      ctx.log_metric?.('files_written', result.files_written, { table: config.table });
      ctx.emit?.('iceberg.write.complete', {
        table: config.table,
        snapshot_id: result.snapshot_id,
        manifest_files: Number(committed.snapshot.summary['manifests-created'] ?? 0) + Number(committed.snapshot.summary['manifests-kept'] ?? 0),
      });
      return result;
    } catch (err) {
      // A table this write created and never committed to is removed again: no partial table is left behind.
      if (createdHere && table && !committedOnce && (err as { code?: string }).code !== 'COMMIT_STATE_UNKNOWN') {
        await catalog.dropTable(id, true).catch(() => undefined);
      }
      throw err;
    } finally {
      await prepared.release();
    }
  } finally {
    if (!deps.engine) engine.close();
    if (!deps.catalog) await catalog.close();
  }
}
