/**
 * storageReport: bytes of metadata JSON, manifest lists, manifests, delete and data files over retained snapshots,
 * each measured against the files on disk; and the metadata-log bounds (`write.metadata.previous-versions-max`,
 * `write.metadata.delete-after-commit.enabled`) through the SQL (SQLite), memory and hadoop catalogs.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../../src/engine/duckdb-engine.js';
import type { Catalog } from '../../../src/iceberg/catalog/catalog.js';
import { createCatalog } from '../../../src/iceberg/catalog/create-catalog.js';
import { storageReport } from '../../../src/iceberg/table/storage-report.js';
import { writeIceberg } from '../../../src/warehouses/iceberg/iceberg-writer.js';
import { commitEqualityDelete } from '../../helpers/delete-files.js';

const id = { namespace: ['db'], name: 't' };

async function sqlCatalog(): Promise<Catalog> {
  const dir = mkdtempSync(join(tmpdir(), 'floe-storage-'));
  return createCatalog('c', { type: 'sql', uri: `sqlite:${join(dir, 'catalog.db')}`, warehouse: join(dir, 'wh') });
}

function filesUnder(dir: string, re: RegExp): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => re.test(f)).map((f) => join(dir, f)) : [];
}
const bytes = (paths: string[]) => paths.reduce((s, p) => s + statSync(p).size, 0);

test('storageReport measures every kind of file once, and the overhead ratio', async () => {
  const catalog = await sqlCatalog();
  const engine = await Engine.create();
  try {
    for (let i = 0; i < 3; i++) {
      await writeIceberg({ table: 'db.t' }, { sql: `SELECT range AS id, repeat('x', 50) AS pad FROM range(${i * 1000}, ${i * 1000 + 1000})` }, {}, { catalog, engine });
    }
    await commitEqualityDelete(engine, catalog, id, { name: 'id', fieldId: 1, type: 'BIGINT' }, [1, 2, 3]);
    await writeIceberg({ table: 'db.t', write_mode: 'overwrite' }, { sql: 'SELECT 1 AS id, CAST(NULL AS VARCHAR) AS pad' }, {}, { catalog, engine });
    const ct = await catalog.loadTable(id);
    const loc = ct.metadata.location;
    const r = await storageReport(catalog, id);
    assert.equal(r.snapshots, 5);
    // Every file is still referenced by some retained snapshot, so the report covers all files on disk.
    const data = filesUnder(join(loc, 'data'), /^(?!eq-).*\.parquet$/);
    const deletes = filesUnder(join(loc, 'data'), /^eq-.*\.parquet$/);
    assert.deepEqual([r.data_files.files, r.data_files.bytes], [data.length, bytes(data)]);
    assert.deepEqual([r.delete_files.files, r.delete_files.bytes], [deletes.length, bytes(deletes)]);
    const lists = filesUnder(join(loc, 'metadata'), /^snap-.*\.avro$/);
    assert.deepEqual([r.manifest_lists.files, r.manifest_lists.bytes], [lists.length, bytes(lists)]);
    const manifests = filesUnder(join(loc, 'metadata'), /\.avro$/).filter((p) => !lists.includes(p));
    assert.deepEqual([r.manifests.files, r.manifests.bytes], [manifests.length, bytes(manifests)]);
    const json = filesUnder(join(loc, 'metadata'), /\.metadata\.json$/);
    assert.deepEqual([r.metadata_json.files, r.metadata_json.bytes, r.metadata_json_missing], [json.length, bytes(json), 0]);
    assert.equal(r.metadata_bytes, r.metadata_json.bytes + r.manifest_lists.bytes + r.manifests.bytes);
    assert.equal(r.overhead, (r.metadata_bytes + r.delete_files.bytes) / r.data_files.bytes);
  } finally {
    engine.close();
    await catalog.close();
  }
});

for (const kind of ['sql', 'memory', 'hadoop'] as const) {
  test(`${kind} catalog: previous-versions-max bounds the metadata log; delete-after-commit removes what leaves it`, async () => {
    const dir = mkdtempSync(join(tmpdir(), `floe-mdlog-${kind}-`));
    const catalog =
      kind === 'sql'
        ? await createCatalog('c', { type: 'sql', uri: `sqlite:${join(dir, 'catalog.db')}`, warehouse: join(dir, 'wh') })
        : await createCatalog('c', { type: kind, warehouse: join(dir, 'wh') });
    const engine = await Engine.create();
    try {
      const props = { 'write.metadata.previous-versions-max': '3', 'write.metadata.delete-after-commit.enabled': 'true' };
      const kept = { table: 'db.kept', properties: { 'write.metadata.previous-versions-max': '3' } };
      for (let i = 0; i < 8; i++) {
        await writeIceberg({ table: 'db.t', properties: props }, { sql: `SELECT ${i} AS id` }, {}, { catalog, engine });
        await writeIceberg(kept, { sql: `SELECT ${i} AS id` }, {}, { catalog, engine });
      }
      const t = await catalog.loadTable(id);
      assert.equal(t.metadata['metadata-log'].length, 3);
      const jsonFiles = filesUnder(join(t.metadata.location, 'metadata'), /metadata\.json$/);
      assert.equal(jsonFiles.length, 4, 'the current file and the 3 in the log');
      for (const e of t.metadata['metadata-log']) assert.ok(existsSync(e['metadata-file'].replace(/^file:/, '')));
      const r = await storageReport(catalog, id);
      assert.deepEqual([r.metadata_json.files, r.metadata_json_missing], [4, 0]);

      // Without delete-after-commit the log is still bounded, but the files stay (Iceberg's default).
      const k = await catalog.loadTable({ namespace: ['db'], name: 'kept' });
      assert.equal(k.metadata['metadata-log'].length, 3);
      assert.ok(filesUnder(join(k.metadata.location, 'metadata'), /metadata\.json$/).length >= 8);
    } finally {
      engine.close();
      await catalog.close();
    }
  });
}
