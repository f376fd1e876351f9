/**
 * Tables on object storage: a SQLite catalog whose warehouse is `s3://` on a local S3-compatible server. Writes
 * upload data files and metadata through S3 FileIO; reads download them into floe's cache; both `floe sql` paths
 * (table functions and catalog names) and time travel work.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../../src/engine/duckdb-engine.js';
import { SqlSession } from '../../../src/engine/sql-session.js';
import { scanTable } from '../../../src/engine/table-scan.js';
import { createCatalog } from '../../../src/iceberg/catalog/create-catalog.js';
import { S3FileIO } from '../../../src/iceberg/io/s3-file-io.js';
import { tableOf } from '../../../src/iceberg/table/commit.js';
import { writeIceberg } from '../../../src/warehouses/iceberg/iceberg-writer.js';
import { S3_TEST_CREDENTIALS, startS3Server } from '../../helpers/s3-server.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

test('a partitioned table round-trips through S3 FileIO on a local S3 server', async () => {
  const s3 = await startS3Server();
  const engine = await Engine.create();
  const dir = mkdtempSync(join(tmpdir(), 'floe-s3rt-'));
  const s3opts = { endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', ...S3_TEST_CREDENTIALS };
  const catalog = await createCatalog('s3cat', {
    type: 'sql',
    uri: `sqlite:${join(dir, 'catalog.db')}`,
    warehouse: `s3://${s3.bucket}/warehouse`,
    s3: s3opts,
  });
  try {
    const config = { table: 'lake.events', partition_spec: [{ field: 'kind', transform: 'identity' }] };
    const first = await writeIceberg(config, { sql: "SELECT range AS id, ['a','b'][1 + (range % 2)::INTEGER] AS kind FROM range(500)" }, {}, { catalog, engine });
    await writeIceberg(config, { sql: "SELECT 1000 AS id, 'c' AS kind" }, {}, { catalog, engine });
    assert.match(first.table_location, /^s3:\/\//);

    const ct = await catalog.loadTable({ namespace: ['lake'], name: 'events' });
    assert.ok(ct.metadataLocation.startsWith(`s3://${s3.bucket}/`));
    // The files are really in the bucket.
    const io = new S3FileIO(s3opts);
    assert.ok(await io.exists(ct.metadataLocation));
    const dataFiles = ct.metadata.snapshots.length;
    assert.equal(dataFiles, 2);

    const now = await scanTable(engine, tableOf(ct), { orderBy: 'id' });
    assert.equal(now.rows.length, 501);
    assert.ok(now.plan.tasks.every((t) => t.file.file_path.startsWith('s3://')));
    const before = await scanTable(engine, tableOf(ct), { snapshotId: BigInt(first.snapshot_id) });
    assert.equal(before.rows.length, 500);

    const session = await SqlSession.open({ engine, catalog });
    const byName = await session.execute('SELECT kind, count(*) FROM lake.events GROUP BY kind ORDER BY kind');
    assert.deepEqual(byName.text, [['a', '250'], ['b', '250'], ['c', '1']]);
    const pruned = await session.execute("SELECT count(*) FROM iceberg_scan('lake.events') WHERE kind = 'c'");
    assert.deepEqual(pruned.text, [['1']]);
    await io.destroy();
  } finally {
    engine.close();
    await catalog.close();
    await s3.close();
  }
});
