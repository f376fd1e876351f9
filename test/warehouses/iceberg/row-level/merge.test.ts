/**
 * Upsert and MERGE through the iceberg.writer contract, copy-on-write and merge-on-read (and equality deletes), v2
 * and v3, partitioned and not: after each operation the table holds what a DuckDB table with a primary key holds
 * after `INSERT OR REPLACE` / `MERGE INTO` of the same rows, and every snapshot's counts match its summary. Bad
 * input (duplicate keys, missing or unknown key columns) is refused with a code and the table untouched.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { isFloeError } from '../../../../src/errors.js';
import { writeIceberg, type IcebergWriterConfig } from '../../../../src/warehouses/iceberg/iceberg-writer.js';
import type { MergeSpec } from '../../../../src/warehouses/iceberg/row-level/merge-spec.js';
import { RowLevelFixture } from './row-level-fixture.js';

/** Incoming rows: ids from..to-1, names tagged, values changed. */
function incoming(from: number, to: number, tag: string): string {
  return `SELECT range::BIGINT AS id, (range % 5)::INTEGER AS grp, '${tag}' || range AS name, (range * 2.0)::DOUBLE AS v FROM range(${from}, ${to})`;
}

const BATCHES: Array<[number, number]> = [
  [250, 350],
  [0, 20],
  [340, 360],
  [100, 300],
];

type Variant = { mode: 'copy-on-write' | 'merge-on-read'; equality?: boolean };
const VARIANTS: Variant[] = [{ mode: 'copy-on-write' }, { mode: 'merge-on-read' }, { mode: 'merge-on-read', equality: true }];

for (const formatVersion of [2, 3] as const) {
  for (const partitioned of [false, true]) {
    for (const variant of VARIANTS) {
      const name = `${variant.equality ? 'equality deletes' : variant.mode}, v${formatVersion}, ${partitioned ? 'partitioned' : 'unpartitioned'}`;
      test(`upsert: ${name}`, async () => {
        const f = await new RowLevelFixture({ formatVersion, partitioned, properties: { 'write.update.mode': variant.mode } }).open();
        try {
          const config: IcebergWriterConfig = {
            ...f.config,
            write_mode: 'upsert',
            // An equality delete applies within its partition: the partition column is part of the key.
            key_columns: variant.equality && partitioned ? ['id', 'grp'] : ['id'],
            ...(variant.equality ? { delete_files: 'equality' as const } : {}),
          };
          let i = 0;
          for (const [from, to] of BATCHES) {
            const sql = incoming(from, to, `u${i++}_`);
            const r = await writeIceberg(config, { sql }, {}, { catalog: f.catalog, engine: f.engine });
            const existing = Number((await (await f.engine.run(`SELECT count(*) FROM ref WHERE id >= ${from} AND id < ${to}`)).getRowsJS())[0][0]);
            await f.engine.run(`INSERT OR REPLACE INTO ref ${sql}`);
            assert.equal(r.rows_written, to - from);
            if (!variant.equality) {
              assert.equal(r.rows_updated, existing);
              assert.equal(r.rows_inserted, to - from - existing);
            }
            if (variant.mode === 'merge-on-read') assert.equal(r.files_rewritten, 0);
            else assert.equal(r.delete_files_written, 0);
            await f.assertSame(`after upsert of ${from}..${to}`);
          }
          const snaps = (await f.table()).metadata.snapshots;
          if (variant.equality) assert.ok(Number(snaps[snaps.length - 1].summary['total-equality-deletes']) > 0);
          else if (variant.mode === 'merge-on-read') {
            const key = formatVersion === 3 ? 'added-dvs' : 'added-position-delete-files';
            assert.ok(snaps.some((s) => Number(s.summary[key] ?? 0) > 0), key);
          }
        } finally {
          await f.close();
        }
      });
    }
    for (const mode of ['copy-on-write', 'merge-on-read'] as const) {
      test(`merge with conditional update, delete and insert: ${mode}, v${formatVersion}, ${partitioned ? 'partitioned' : 'unpartitioned'}`, async () => {
        const f = await new RowLevelFixture({ formatVersion, partitioned, properties: { 'write.merge.mode': mode } }).open();
        try {
          const merge: MergeSpec = {
            on: ['id'],
            when_matched: [
              { condition: 't.id % 3 = 0', action: 'delete' },
              { condition: 't.id % 3 = 1', action: 'update', set: { name: "s.name || '/' || t.name", v: 't.v + 1' } },
            ],
            when_not_matched: [{ condition: 's.id % 2 = 0', action: 'insert' }],
          };
          const duck =
            'WHEN MATCHED AND t.id % 3 = 0 THEN DELETE ' +
            "WHEN MATCHED AND t.id % 3 = 1 THEN UPDATE SET name = s.name || '/' || t.name, v = t.v + 1 " +
            'WHEN NOT MATCHED AND s.id % 2 = 0 THEN INSERT';
          for (const [from, to] of BATCHES) {
            const sql = incoming(from, to, 'm_');
            const r = await writeIceberg({ ...f.config, write_mode: 'merge', merge }, { sql }, {}, { catalog: f.catalog, engine: f.engine });
            await f.engine.run(`MERGE INTO ref AS t USING (${sql}) AS s ON (t.id = s.id) ${duck}`);
            assert.ok((r.rows_deleted ?? 0) > 0 || (r.rows_inserted ?? 0) > 0);
            await f.assertSame(`after merge of ${from}..${to}`);
          }
          // A merge by a condition rather than key columns.
          const sql = incoming(90, 130, 'c_');
          await writeIceberg(
            { ...f.config, write_mode: 'merge', merge: { on: 't.id = s.id', when_matched: [{ action: 'update' }], when_not_matched: [{ action: 'insert' }] } },
            { sql },
            {},
            { catalog: f.catalog, engine: f.engine },
          );
          await f.engine.run(`MERGE INTO ref AS t USING (${sql}) AS s ON (t.id = s.id) WHEN MATCHED THEN UPDATE SET name = s.name, v = s.v, grp = s.grp WHEN NOT MATCHED THEN INSERT`);
          await f.assertSame('after merge by condition');
        } finally {
          await f.close();
        }
      });
    }
  }
}

test('bad upsert input: duplicate keys, missing or unknown key columns; the table untouched', async () => {
  const f = await new RowLevelFixture({ formatVersion: 2, partitioned: false }).open();
  try {
    const before = (await f.table()).metadata['current-snapshot-id'];
    const deps = { catalog: f.catalog, engine: f.engine };
    const dup = 'SELECT * FROM (VALUES (1::BIGINT, 1, \'a\', 1.0), (1::BIGINT, 1, \'b\', 2.0), (7::BIGINT, 2, \'c\', 3.0)) AS x(id, grp, name, v)';
    await assert.rejects(writeIceberg({ ...f.config, write_mode: 'upsert', key_columns: ['id'] }, { sql: dup }, {}, deps), (e) => {
      assert.ok(isFloeError(e, 'DUPLICATE_KEY'));
      assert.deepEqual((e as unknown as { context: { examples: string[] } }).context.examples, ['1']);
      return true;
    });
    await assert.rejects(writeIceberg({ ...f.config, write_mode: 'merge', merge: { on: ['id'], when_not_matched: [{ action: 'insert' }] } }, { sql: dup }, {}, deps), (e) =>
      isFloeError(e, 'DUPLICATE_KEY'),
    );
    const ok = incoming(0, 5, 'x');
    await assert.rejects(writeIceberg({ ...f.config, write_mode: 'upsert' }, { sql: ok }, {}, deps), (e) => isFloeError(e, 'CONFIG_INVALID'));
    await assert.rejects(writeIceberg({ ...f.config, write_mode: 'upsert', key_columns: [] }, { sql: ok }, {}, deps), (e) => isFloeError(e, 'CONFIG_INVALID'));
    await assert.rejects(writeIceberg({ ...f.config, write_mode: 'upsert', key_columns: ['nope'] }, { sql: ok }, {}, deps), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
    await assert.rejects(writeIceberg({ ...f.config, write_mode: 'merge' }, { sql: ok }, {}, deps), (e) => isFloeError(e, 'CONFIG_INVALID'));
    await assert.rejects(
      writeIceberg({ ...f.config, write_mode: 'merge', merge: { on: ['id'], when_matched: [{ condition: 't.nope > 1', action: 'delete' }] } }, { sql: ok }, {}, deps),
      (e) => isFloeError(e, 'INVALID_ARGUMENT'),
    );
    await assert.rejects(
      writeIceberg({ ...f.config, write_mode: 'upsert', key_columns: ['id'] }, { sql: 'SELECT 1::BIGINT AS id, 2 AS extra' }, {}, deps),
      (e) => isFloeError(e, 'SCHEMA_MISMATCH'),
    );
    assert.equal((await f.table()).metadata['current-snapshot-id'], before);
    await f.assertSame();
  } finally {
    await f.close();
  }
});

test('upsert reads only files whose partitions and key bounds can hold incoming keys', async () => {
  const f = await new RowLevelFixture({ formatVersion: 2, partitioned: false, properties: { 'write.update.mode': 'copy-on-write' } }).open();
  try {
    // Files hold ids 0-99, 100-199, 200-299: incoming ids 120..130 can only be in the second.
    const r = await writeIceberg({ ...f.config, write_mode: 'upsert', key_columns: ['id'] }, { sql: incoming(120, 130, 'p') }, {}, { catalog: f.catalog, engine: f.engine });
    assert.equal(r.files_rewritten, 1);
    const snap = (await f.table()).metadata.snapshots.at(-1)!;
    assert.equal(snap.summary['deleted-data-files'], '1');
    await f.engine.run(`INSERT OR REPLACE INTO ref ${incoming(120, 130, 'p')}`);
    await f.assertSame();
  } finally {
    await f.close();
  }
});

for (const mode of ['copy-on-write', 'merge-on-read'] as const) {
  test(`merge with source-only columns in conditions and set expressions equals DuckDB MERGE INTO (${mode})`, async () => {
    const f = await new RowLevelFixture({ formatVersion: 2, partitioned: true, properties: { 'write.merge.mode': mode } }).open();
    try {
      // `gone` and `bump` exist only in the incoming rows; `name` is missing from them (inserted as null).
      const sql = 'SELECT range::BIGINT AS id, (range % 5)::INTEGER AS grp, (range * 3.0)::DOUBLE AS v, range % 7 = 0 AS gone, (range % 4)::DOUBLE AS bump FROM range(280, 380)';
      const merge: MergeSpec = {
        on: ['id'],
        when_matched: [
          { condition: 's.gone', action: 'delete' },
          { condition: 's.bump > 1', action: 'update', set: { v: 't.v + s.bump' } },
          { action: 'update' },
        ],
        when_not_matched: [{ condition: 'NOT s.gone', action: 'insert' }],
      };
      const r = await writeIceberg({ ...f.config, write_mode: 'merge', merge }, { sql }, {}, { catalog: f.catalog, engine: f.engine });
      assert.ok((r.rows_deleted ?? 0) > 0 && (r.rows_updated ?? 0) > 0 && (r.rows_inserted ?? 0) > 0);
      await f.engine.run(
        `MERGE INTO ref AS t USING (${sql}) AS s ON (t.id = s.id) ` +
          'WHEN MATCHED AND s.gone THEN DELETE ' +
          'WHEN MATCHED AND s.bump > 1 THEN UPDATE SET v = t.v + s.bump ' +
          'WHEN MATCHED THEN UPDATE SET grp = s.grp, v = s.v ' +
          'WHEN NOT MATCHED AND NOT s.gone THEN INSERT (id, grp, name, v) VALUES (s.id, s.grp, NULL, s.v)',
      );
      await f.assertSame('after a merge with source-only columns');
      // An upsert writes its rows whole: a column the table lacks is refused.
      await assert.rejects(
        writeIceberg({ ...f.config, write_mode: 'upsert', key_columns: ['id'] }, { sql }, {}, { catalog: f.catalog, engine: f.engine }),
        (e) => isFloeError(e, 'SCHEMA_MISMATCH'),
      );
      await f.assertSame('the refused upsert changed nothing');
    } finally {
      await f.close();
    }
  });
}
