/**
 * `write.metadata.compression-codec` through the commit path of the metadata-file catalogs (sql on SQLite, hadoop,
 * memory): with `gzip` every commit writes a gzip `*.gz.metadata.json` (hadoop: `v<N>.gz.metadata.json`) that a
 * fresh catalog loads and the reader scans; the metadata log bound and delete-after-commit apply to gzip files as
 * to plain ones; switching the codec back writes plain JSON again, the old gzip files still readable; an
 * unsupported codec is `UNSUPPORTED` with the table untouched.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Engine } from '../../../src/engine/duckdb-engine.js';
import { scanTable } from '../../../src/engine/table-scan.js';
import { isFloeError } from '../../../src/errors.js';
import type { Catalog } from '../../../src/iceberg/catalog/catalog.js';
import { createCatalog } from '../../../src/iceberg/catalog/create-catalog.js';
import { toLocalPath } from '../../../src/iceberg/io/local-file-io.js';
import { tableOf } from '../../../src/iceberg/table/commit.js';
import { writeIceberg, type IcebergWriterConfig } from '../../../src/warehouses/iceberg/iceberg-writer.js';

const id = { namespace: ['db'], name: 'events' };

async function setProperties(catalog: Catalog, updates: Record<string, string>) {
  return catalog.commitTable({ identifier: id, requirements: [], updates: [{ action: 'set-properties', updates }] });
}

for (const type of ['sql', 'hadoop', 'memory'] as const) {
  test(`${type} catalog: gzip metadata files through commits, log bound, codec switch, bad codec`, async () => {
    const dir = await mkdtemp(join(tmpdir(), `floe-gzip-${type}-`));
    const config = { type, uri: `sqlite:${join(dir, 'catalog.db')}`, warehouse: join(dir, 'warehouse') };
    let catalog = await createCatalog('test', config);
    const engine = await Engine.create();
    try {
      const write: IcebergWriterConfig = {
        table: 'db.events',
        properties: {
          'write.metadata.compression-codec': 'gzip',
          'write.metadata.previous-versions-max': '2',
          'write.metadata.delete-after-commit.enabled': 'true',
        },
      };
      if (type !== 'hadoop') await catalog.createNamespace(['db']);
      const written: string[] = [];
      for (let i = 0; i < 4; i++) {
        await writeIceberg(write, { sql: `SELECT range + ${i * 10} AS id, 'e' || range AS name FROM range(10)` }, {}, { catalog, engine });
        written.push((await catalog.loadTable(id)).metadataLocation);
      }
      const current = await catalog.loadTable(id);
      assert.match(current.metadataLocation, type === 'hadoop' ? /\/v\d+\.gz\.metadata\.json$/ : /\/\d{5}-[0-9a-f-]{36}\.gz\.metadata\.json$/);
      const bytes = await readFile(toLocalPath(current.metadataLocation));
      assert.deepEqual([bytes[0], bytes[1]], [0x1f, 0x8b], 'gzip magic');
      const json = gunzipSync(bytes).toString('utf8');
      assert.ok(bytes.length < json.length / 2, `${bytes.length} gzip bytes for ${json.length} of JSON`);
      // Big ids lose digits in JSON.parse: compare the text.
      assert.match(json, new RegExp(`"current-snapshot-id"\\s*:\\s*${current.metadata['current-snapshot-id']}\\b`));

      // The log keeps 2 previous files, all gzip; those that left it were deleted.
      const log = current.metadata['metadata-log'].map((e) => e['metadata-file']);
      assert.equal(log.length, 2);
      for (const f of log) {
        assert.ok(f.endsWith('.gz.metadata.json'), f);
        assert.ok(existsSync(toLocalPath(f)), `${f} kept`);
      }
      assert.ok(!existsSync(toLocalPath(written[0])), 'a file that left the log is deleted');

      // A fresh catalog (sql, hadoop) loads and scans the gzip table.
      if (type !== 'memory') {
        await catalog.close();
        catalog = await createCatalog('test', config);
      }
      const { rows } = await scanTable(engine, tableOf(await catalog.loadTable(id)), { orderBy: 'id' });
      assert.equal(rows.length, 40);

      // Back to plain JSON: the next file is not gzip, the table still reads (its log names gzip files).
      await setProperties(catalog, { 'write.metadata.compression-codec': 'none' });
      await writeIceberg({ table: write.table }, { sql: 'SELECT 99 AS id, \'x\' AS name' }, {}, { catalog, engine });
      const plain = await catalog.loadTable(id);
      assert.ok(plain.metadataLocation.endsWith('.metadata.json') && !plain.metadataLocation.endsWith('.gz.metadata.json'), plain.metadataLocation);
      assert.equal((await readFile(toLocalPath(plain.metadataLocation)))[0], '{'.charCodeAt(0));
      assert.equal((await scanTable(engine, tableOf(plain))).rows.length, 41);

      // An unsupported codec: UNSUPPORTED, nothing written, the table where it was.
      await assert.rejects(setProperties(catalog, { 'write.metadata.compression-codec': 'zstd' }), (e) => isFloeError(e) && e.code === 'UNSUPPORTED');
      assert.equal((await catalog.loadTable(id)).metadataLocation, plain.metadataLocation);
    } finally {
      engine.close();
      await catalog.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
}
