/**
 * Delete manifests merge like data manifests once `commit.manifest.min-count-to-merge` of them are live (as Java's
 * second merge manager does), keeping every delete file's sequence numbers: equality deletes merged into one
 * manifest still apply only to rows older than themselves, so a key upserted again and again keeps its newest
 * row. Each step is checked against a plain DuckDB table.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { snapshotManifestFiles } from '../../../src/iceberg/table/snapshot-manifests.js';
import { writeIceberg, type IcebergWriterConfig } from '../../../src/warehouses/iceberg/iceberg-writer.js';
import { deleteRows } from '../../../src/warehouses/iceberg/row-level/delete-rows.js';
import { RowLevelFixture } from '../../warehouses/iceberg/row-level/row-level-fixture.js';

function incoming(from: number, to: number, tag: string): string {
  return `SELECT range::BIGINT AS id, (range % 5)::INTEGER AS grp, '${tag}' || range AS name, (range * 2.0)::DOUBLE AS v FROM range(${from}, ${to})`;
}

for (const merge of [true, false]) {
  test(`delete manifests ${merge ? 'merge at min-count-to-merge' : 'stay apart with commit.manifest-merge.enabled false'}; equality delete sequence numbers kept`, async () => {
    const f = await new RowLevelFixture({
      formatVersion: 2,
      partitioned: false,
      properties: {
        'write.delete.mode': 'merge-on-read',
        'write.update.mode': 'merge-on-read',
        'commit.manifest.min-count-to-merge': '3',
        ...(merge ? {} : { 'commit.manifest-merge.enabled': 'false' }),
      },
    }).open();
    try {
      const upsert: IcebergWriterConfig = { ...f.config, write_mode: 'upsert', key_columns: ['id'], delete_files: 'equality' };
      let deleteManifestsAtMost = 0;
      for (let i = 0; i < 6; i++) {
        // The same keys upserted every time (equality deletes), plus a position delete of other rows.
        const sql = incoming(10, 20, `u${i}_`);
        await writeIceberg(upsert, { sql }, {}, { catalog: f.catalog, engine: f.engine });
        await f.engine.run(`INSERT OR REPLACE INTO ref ${sql}`);
        const where = `id = ${100 + i * 7}`;
        await deleteRows(f.catalog, f.id, where, { engine: f.engine });
        await f.engine.run(`DELETE FROM ref WHERE ${where}`);
        assert.deepEqual(await f.icebergRows(), await f.referenceRows(), `after round ${i}`);

        const table = await f.table();
        const snap = table.metadata.snapshots.find((s) => s['snapshot-id'] === table.metadata['current-snapshot-id'])!;
        const manifests = await snapshotManifestFiles(table, snap);
        const deletes = manifests.filter((m) => m.content === 1).length;
        deleteManifestsAtMost = Math.max(deleteManifestsAtMost, deletes);
        if (merge) assert.ok(deletes <= 4, `round ${i}: ${deletes} delete manifests`);
      }
      // Two commits with deletes a round: 12 delete manifests unless merged.
      if (!merge) assert.equal(deleteManifestsAtMost, 12);
      const rows = await f.icebergRows();
      assert.equal(rows.filter((r) => JSON.parse(r).name.startsWith('u5_')).length, 10, 'the newest upsert of each key survives');
    } finally {
      await f.close();
    }
  });
}
