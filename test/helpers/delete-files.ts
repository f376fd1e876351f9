/**
 * Writes position and equality delete files for tests (spec: "Position Delete Files", "Equality Delete Files")
 * with DuckDB and commits them through the snapshot producer, independent of the upsert/delete writers.
 */
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import type { Engine } from '../../src/engine/duckdb-engine.js';
import { quoteString } from '../../src/engine/sql-literals.js';
import type { DataFile } from '../../src/iceberg/avro/manifest.js';
import { EntryStatus } from '../../src/iceberg/avro/manifest.js';
import type { Catalog, TableIdentifier } from '../../src/iceberg/catalog/catalog.js';
import { tableOf } from '../../src/iceberg/table/commit.js';
import { loadSnapshotManifests } from '../../src/iceberg/table/snapshot-manifests.js';
import { currentSnapshot } from '../../src/iceberg/spec/table-metadata.js';
import { commitSnapshot } from '../../src/iceberg/table/table-operations.js';

function deleteFile(content: 1 | 2, path: string, rows: bigint, equalityIds?: number[]): DataFile {
  return {
    content,
    file_path: path,
    file_format: 'PARQUET',
    partition: new Map(),
    record_count: rows,
    file_size_in_bytes: BigInt(statSync(path).size),
    ...(equalityIds ? { equality_ids: equalityIds } : {}),
  };
}

/** Commits an equality delete file removing rows whose `column` (field id `fieldId`, DuckDB type) is in `values`. */
export async function commitEqualityDelete(
  engine: Engine,
  catalog: Catalog,
  id: TableIdentifier,
  column: { name: string; fieldId: number; type: string },
  values: Array<number | string>,
): Promise<bigint> {
  const md = (await catalog.loadTable(id)).metadata;
  const path = join(md.location, 'data', `eq-${randomUUID()}.parquet`);
  const list = values.map((v) => (typeof v === 'string' ? quoteString(v) : String(v))).join(', ');
  await engine.run(
    `COPY (SELECT CAST(v AS ${column.type}) AS "${column.name}" FROM unnest([${list}]) AS u(v)) TO ${quoteString(path)} ` +
      `(FORMAT parquet, FIELD_IDS {"${column.name}": ${column.fieldId}})`,
  );
  const file = deleteFile(2, path, BigInt(values.length), [column.fieldId]);
  const done = await commitSnapshot(catalog, id, tableOf(await catalog.loadTable(id)).io, {
    operation: 'delete',
    added: [],
    addedFiles: [{ file, specId: 0 }],
  });
  return done.snapshot['snapshot-id'];
}

/** Commits a position delete file removing the rows of current data files where `where` (DuckDB SQL) holds. */
export async function commitPositionDelete(engine: Engine, catalog: Catalog, id: TableIdentifier, where: string): Promise<bigint> {
  const table = tableOf(await catalog.loadTable(id));
  const snap = currentSnapshot(table.metadata)!;
  const files: string[] = [];
  for (const { manifest, entries } of await loadSnapshotManifests(table, snap)) {
    if (manifest.content !== 0) continue;
    for (const e of entries) if (e.status !== EntryStatus.DELETED) files.push(e.data_file.file_path);
  }
  const path = join(table.metadata.location, 'data', `pos-${randomUUID()}.parquet`);
  const sources = files
    .map((f) => `SELECT ${quoteString(f)} AS file_path, file_row_number AS pos FROM read_parquet(${quoteString(f)}, file_row_number = true) WHERE ${where}`)
    .join(' UNION ALL ');
  await engine.run(
    `COPY (SELECT * FROM (${sources}) ORDER BY file_path, pos) TO ${quoteString(path)} (FORMAT parquet, FIELD_IDS {file_path: 2147483546, pos: 2147483545})`,
  );
  const n = (await (await engine.run(`SELECT count(*) FROM read_parquet(${quoteString(path)})`)).getRowsJS())[0][0] as bigint;
  const targets = (await (await engine.run(`SELECT DISTINCT file_path FROM read_parquet(${quoteString(path)})`)).getRowsJS()).map((r) => String(r[0]));
  // A delete file for one data file says so (spec: referenced_data_file), so it applies to that file only.
  const file = { ...deleteFile(1, path, BigInt(n)), ...(targets.length === 1 ? { referenced_data_file: targets[0] } : {}) };
  const done = await commitSnapshot(catalog, id, table.io, { operation: 'delete', added: [], addedFiles: [{ file, specId: 0 }] });
  return done.snapshot['snapshot-id'];
}
