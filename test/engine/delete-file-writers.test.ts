/**
 * The three delete-file writers (position deletes, equality deletes, deletion vectors) and the bitset their
 * callers combine positions in: every written file is read back by DuckDB (content, order, Parquet field ids) and,
 * committed to a real table, by floe's reader (the deleted rows are gone); metadata (bounds, referenced data file,
 * counts, DV blob offsets and cardinality) is checked against the files themselves; a deletion vector written over
 * an existing one holds both sets of positions and replaces it.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { readFile } from 'node:fs/promises';
import { deletionVectorBlob } from '../../src/iceberg/avro/deletion-vector.js';
import { decodeDeletionVector } from '../../src/iceberg/avro/deletion-vector.js';
import { readPuffinFooter, readPuffinBlob } from '../../src/iceberg/avro/puffin.js';
import { RoaringBitmap64 } from '../../src/iceberg/avro/roaring.js';
import { deserializeValue } from '../../src/iceberg/spec/bounds.js';
import { toLocalPath } from '../../src/iceberg/io/local-file-io.js';
import { planScan } from '../../src/iceberg/table/scan-planner.js';
import type { AddedFile } from '../../src/iceberg/table/snapshot-producer.js';
import { dataDir } from '../../src/iceberg/table/manifest-writing.js';
import { DELETE_FILE_PATH_FIELD_ID, DELETE_FILE_POS_FIELD_ID, writePositionDeletes } from '../../src/engine/position-delete-writer.js';
import { writeEqualityDeletes } from '../../src/engine/equality-delete-writer.js';
import { writeDeletionVectors } from '../../src/engine/deletion-vector-writer.js';
import { readDeletionVectorPositions } from '../../src/engine/deletion-vector-positions.js';
import { PositionSet } from '../../src/engine/position-set.js';
import { isFloeError } from '../../src/errors.js';
import { deleteRows } from '../../src/warehouses/iceberg/row-level/delete-rows.js';
import { commitRowChange, loadTableAt } from '../../src/warehouses/iceberg/row-level/row-operation.js';
import { RowLevelFixture } from '../warehouses/iceberg/row-level/row-level-fixture.js';

/** Commits delete files to the fixture's table as a row delta and returns the table's ids after it. */
async function commitDeletes(f: RowLevelFixture, added: AddedFile[]): Promise<string[]> {
  const loaded = await loadTableAt(f.catalog, f.id);
  await commitRowChange(f.catalog, loaded, {
    addedData: [],
    addedDeletes: added,
    removedDataFiles: new Set(),
    removedDeleteFiles: new Set(),
    scope: { startingSnapshotId: loaded.startingSnapshotId, branch: 'main', referencedDataFiles: [], removedDeleteFiles: new Set(), checkAddedData: false },
  });
  return (await f.icebergRows()).map((r) => JSON.parse(r).id as string);
}

/** The ids of a data file's rows at the given positions (read by DuckDB). */
async function idsAt(f: RowLevelFixture, readPath: string, positions: number[]): Promise<string[]> {
  const res = await f.engine.run(
    `SELECT id::VARCHAR FROM read_parquet('${readPath}') WHERE file_row_number IN (${positions.join(', ')}) ORDER BY id`,
  );
  return (await res.getRowsJS()).map((r) => String(r[0]));
}

test('position deletes: one file per target with rows, sorted, field ids, bounds and referenced_data_file; read back by DuckDB and floe', async () => {
  const f = await new RowLevelFixture({ formatVersion: 2, partitioned: false }).open();
  try {
    const table = await f.table();
    const tasks = (await planScan(table)).tasks;
    assert.equal(tasks.length, 3);
    const [a, b, c] = tasks;
    // Unsorted input, rows for a file that is not a target (ignored), a target without rows (no file).
    await f.engine.run(
      `CREATE TEMP TABLE pd AS SELECT * FROM (VALUES ('${a.file.file_path}', 7::BIGINT), ('${a.file.file_path}', 2), ('${b.file.file_path}', 50), ` +
        `('${a.file.file_path}', 40), ('/elsewhere.parquet', 1)) AS v(file_path, pos)`,
    );
    const added = await writePositionDeletes(f.engine, {
      source: 'pd',
      targets: [a, b, c].map((t) => ({ path: t.file.file_path, specId: t.specId, partition: t.file.partition })),
      location: dataDir(table.metadata),
      io: table.io,
      properties: { 'write.delete.parquet.compression-codec': 'snappy' },
    });
    assert.equal(added.length, 2, 'no file for the target without rows');
    const [fa, fb] = added.map((x) => x.file);
    assert.equal(fa.content, 1);
    assert.equal(fa.file_format, 'PARQUET');
    assert.equal(fa.referenced_data_file, a.file.file_path);
    assert.equal(fb.referenced_data_file, b.file.file_path);
    assert.equal(fa.record_count, 3n);
    assert.equal(added[0].specId, a.specId);
    assert.equal(deserializeValue('string', fa.lower_bounds!.get(DELETE_FILE_PATH_FIELD_ID)!), a.file.file_path);
    assert.equal(deserializeValue('string', fa.upper_bounds!.get(DELETE_FILE_PATH_FIELD_ID)!), a.file.file_path);
    assert.equal(deserializeValue('long', fa.lower_bounds!.get(DELETE_FILE_POS_FIELD_ID)!), 2n);
    assert.equal(deserializeValue('long', fa.upper_bounds!.get(DELETE_FILE_POS_FIELD_ID)!), 40n);
    assert.equal(fa.value_counts!.get(DELETE_FILE_POS_FIELD_ID), 3n);
    assert.equal(fa.null_value_counts!.get(DELETE_FILE_PATH_FIELD_ID), 0n);
    const local = toLocalPath(fa.file_path);
    assert.equal(fa.file_size_in_bytes, BigInt((await readFile(local)).length));
    // DuckDB: the rows, sorted by position, under the reserved field ids, compressed as asked.
    const rows = await (await f.engine.run(`SELECT file_path, pos FROM read_parquet('${local}')`)).getRowsJS();
    assert.deepEqual(rows.map((r) => Number(r[1])), [2, 7, 40]);
    assert.ok(rows.every((r) => r[0] === a.file.file_path));
    const ids = await (await f.engine.run(`SELECT name, field_id FROM parquet_schema('${local}') WHERE field_id IS NOT NULL ORDER BY name`)).getRowsJS();
    assert.deepEqual(ids.map((r) => [r[0], Number(r[1])]), [['file_path', DELETE_FILE_PATH_FIELD_ID], ['pos', DELETE_FILE_POS_FIELD_ID]]);
    const codecs = await (await f.engine.run(`SELECT DISTINCT compression FROM parquet_metadata('${local}')`)).getRowsJS();
    assert.deepEqual(codecs.map((r) => String(r[0]).toUpperCase()), ['SNAPPY']);
    // floe's reader: the deleted rows are gone once the files are committed.
    const gone = [...(await idsAt(f, a.readPath, [2, 7, 40])), ...(await idsAt(f, b.readPath, [50]))];
    const before = (await f.icebergRows()).length;
    const after = await commitDeletes(f, added);
    assert.equal(after.length, before - 4);
    for (const id of gone) assert.ok(!after.includes(id), `row ${id} deleted`);
  } finally {
    await f.close();
  }
});

test('equality deletes: distinct key rows under the table field ids, partitioned like the data; floe applies them to older rows', async () => {
  const f = await new RowLevelFixture({ formatVersion: 2, partitioned: true }).open();
  try {
    const table = await f.table();
    const md = table.metadata;
    const schema = md.schemas.find((s) => s['schema-id'] === md['current-schema-id'])!;
    const idField = schema.fields.find((x) => x.name === 'id')!;
    const spec = md['partition-specs'].find((s) => s['spec-id'] === md['default-spec-id'])!;
    // Keys 5 (grp 0) and 17 (grp 2) twice, and a key no row has.
    const source = `(SELECT * FROM (VALUES (5::BIGINT, 0), (17::BIGINT, 2), (17::BIGINT, 2), (999::BIGINT, 4)) AS v(id, grp))`;
    const added = await writeEqualityDeletes(f.engine, {
      source,
      schema,
      spec,
      equalityIds: [idField.id],
      location: dataDir(md),
      io: table.io,
      properties: md.properties,
      formatVersion: 2,
    });
    assert.equal(added.length, 3, 'one file per partition');
    assert.equal(added.reduce((n, x) => n + x.file.record_count, 0n), 3n, 'distinct rows');
    for (const { file, specId } of added) {
      assert.equal(file.content, 2);
      assert.deepEqual(file.equality_ids, [idField.id]);
      assert.equal(specId, spec['spec-id']);
      assert.equal(file.sort_order_id, null);
      const grp = file.partition.get(spec.fields[0]['field-id']);
      const rows = await (await f.engine.run(`SELECT id, grp FROM read_parquet('${toLocalPath(file.file_path)}')`)).getRowsJS();
      assert.ok(rows.every((r) => Number(r[1]) === Number(grp)), 'rows of the file partition only');
      const ids = await (await f.engine.run(`SELECT name, field_id FROM parquet_schema('${toLocalPath(file.file_path)}') WHERE field_id IS NOT NULL ORDER BY field_id`)).getRowsJS();
      assert.deepEqual(ids.map((r) => [r[0], Number(r[1])]), schema.fields.filter((x) => x.name === 'id' || x.name === 'grp').map((x) => [x.name, x.id]));
    }
    const before = await f.icebergRows();
    const after = await commitDeletes(f, added);
    assert.equal(after.length, before.length - 2);
    assert.ok(!after.includes('5') && !after.includes('17'));
    await assert.rejects(
      writeEqualityDeletes(f.engine, { source, schema, spec, equalityIds: [12345], location: dataDir(md), io: table.io, properties: {}, formatVersion: 2 }),
      (e: unknown) => isFloeError(e, 'INVALID_ARGUMENT'),
    );
  } finally {
    await f.close();
  }
});

test('deletion vectors: one Puffin file, one blob per data file at its recorded offset, cardinality as record_count; read back by floe', async () => {
  const f = await new RowLevelFixture({ formatVersion: 3, partitioned: false }).open();
  try {
    const table = await f.table();
    const [a, b, c] = (await planScan(table)).tasks;
    const pa = [3, 1, 2, 99, 3]; // any order, repeats
    const pb = new PositionSet(b.file.record_count);
    pb.addAll([0, 10, 20]);
    const added = await writeDeletionVectors(
      [
        { path: a.file.file_path, specId: a.specId, partition: a.file.partition, positions: Float64Array.from(pa) },
        { path: b.file.file_path, specId: b.specId, partition: b.file.partition, positions: pb },
        { path: c.file.file_path, specId: c.specId, partition: c.file.partition, positions: new Float64Array(0) },
      ],
      { location: dataDir(table.metadata), io: table.io },
    );
    assert.equal(added.length, 2, 'no vector without positions');
    const puffinPath = added[0].file.file_path;
    assert.ok(added.every((x) => x.file.file_path === puffinPath && x.file.file_format === 'PUFFIN' && x.file.content === 1));
    const bytes = new Uint8Array(await readFile(toLocalPath(puffinPath)));
    assert.equal(added[0].file.file_size_in_bytes, BigInt(bytes.length));
    const footer = readPuffinFooter(bytes);
    assert.equal(footer.blobs.length, 2);
    const expected = [[1, 2, 3, 99], [0, 10, 20]];
    added.forEach(({ file }, i) => {
      const blob = footer.blobs[i];
      assert.equal(blob.type, 'deletion-vector-v1');
      assert.equal(file.content_offset, BigInt(blob.offset));
      assert.equal(file.content_size_in_bytes, BigInt(blob.length));
      assert.equal(blob.properties?.['referenced-data-file'], file.referenced_data_file);
      assert.equal(file.record_count, BigInt(expected[i].length));
      const decoded = decodeDeletionVector(readPuffinBlob(bytes, blob));
      assert.deepEqual([...decoded.toFloat64Array()], expected[i]);
    });
    assert.equal(added[0].file.referenced_data_file, a.file.file_path);
    assert.equal(added[1].file.referenced_data_file, b.file.file_path);
    const gone = [...(await idsAt(f, a.readPath, expected[0])), ...(await idsAt(f, b.readPath, expected[1]))];
    const before = (await f.icebergRows()).length;
    const after = await commitDeletes(f, added);
    assert.equal(after.length, before - 7);
    for (const id of gone) assert.ok(!after.includes(id), `row ${id} deleted`);
    await assert.rejects(
      writeDeletionVectors(
        [
          { path: a.file.file_path, specId: 0, partition: new Map(), positions: Float64Array.of(1) },
          { path: a.file.file_path, specId: 0, partition: new Map(), positions: Float64Array.of(2) },
        ],
        { location: dataDir(table.metadata), io: table.io },
      ),
      (e: unknown) => isFloeError(e, 'INVALID_ARGUMENT'),
    );
  } finally {
    await f.close();
  }
});

test('a deletion vector written over an existing one holds both sets of positions and replaces it', async () => {
  const f = await new RowLevelFixture({ formatVersion: 3, partitioned: false, properties: { 'write.delete.mode': 'merge-on-read' } }).open();
  try {
    const first = await deleteRows(f.catalog, f.id, 'id IN (3, 5, 7)', { engine: f.engine });
    await f.engine.run('DELETE FROM ref WHERE id IN (3, 5, 7)');
    assert.equal(first.delete_files_written, 1);
    const second = await deleteRows(f.catalog, f.id, 'id IN (5, 8, 9, 150)', { engine: f.engine });
    await f.engine.run('DELETE FROM ref WHERE id IN (5, 8, 9, 150)');
    assert.equal(second.rows_deleted, 3, 'row 5 was deleted already');
    await f.assertSame();
    const table = await f.table();
    const task = (await planScan(table)).tasks.find((t) => t.deletes.length > 0 && t.file.record_count === 100n && t.deletes.some((d) => d.file.record_count > 3n))!;
    assert.equal(task.deletes.length, 1, 'the old vector was replaced');
    const dv = task.deletes[0];
    assert.equal(dv.file.file_format, 'PUFFIN');
    assert.equal(dv.file.record_count, 5n);
    const positions = await readDeletionVectorPositions(table.io, dv);
    assert.deepEqual(await idsAt(f, task.readPath, [...positions]), ['3', '5', '7', '8', '9']);
    // The table's delete files: the replaced vector is no longer live.
    const live = (await planScan(table)).tasks.flatMap((t) => t.deletes.map((d) => `${d.file.file_path}#${d.file.content_offset}`));
    assert.equal(new Set(live).size, 2, 'one vector for the first file, one for the file of row 150');
  } finally {
    await f.close();
  }
});

test('PositionSet: deduplicates, sorts, and builds the same Roaring bitmap as RoaringBitmap64.from', () => {
  const patterns: number[][] = [
    [],
    [0],
    [65535, 65536, 65537],
    Array.from({ length: 5000 }, (_, i) => i * 3), // array containers
    Array.from({ length: 70000 }, (_, i) => i), // one run
    Array.from({ length: 20000 }, (_, i) => 131072 + ((i * 7919) % 65536)), // a bitmap container
    Array.from({ length: 300000 }, (_, i) => i + Math.floor(i / 1000) * 500), // many runs
    [2147483647, 5, 5],
  ];
  for (const p of patterns) {
    const set = new PositionSet(10);
    assert.equal(set.addAll(p), new Set(p).size);
    const sorted = [...new Set(p)].sort((x, y) => x - y);
    assert.deepEqual([...set.toSorted()], sorted);
    const bytes = deletionVectorBlob('f', set.toRoaring()).data;
    assert.deepEqual(bytes, deletionVectorBlob('f', RoaringBitmap64.from(Float64Array.from(sorted))).data);
    // From a bitmap (a deletion vector read back), into a set already holding some of it.
    const merged = new PositionSet(4);
    merged.addAll([1, 2, 65536 * 2 + 5]);
    merged.addBitmap(set.toRoaring());
    const union = [...new Set([...sorted, 1, 2, 65536 * 2 + 5])].sort((x, y) => x - y);
    assert.equal(merged.size, union.length);
    assert.deepEqual([...merged.toSorted()], union);
    const copy = merged.clone();
    copy.add(7);
    assert.equal(merged.has(7), union.includes(7));
  }
  const s = new PositionSet(100);
  assert.equal(s.add(42), true);
  assert.equal(s.add(42), false);
  assert.equal(s.has(42), true);
  assert.equal(s.has(43), false);
  assert.throws(() => s.add(-1), (e: unknown) => isFloeError(e, 'UNSUPPORTED'));
  assert.throws(() => s.add(2 ** 31), (e: unknown) => isFloeError(e, 'UNSUPPORTED'));
});
