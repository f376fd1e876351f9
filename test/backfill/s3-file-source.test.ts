/**
 * A Parquet file on S3 (the local S3-compatible server) as a backfill source: read through the configured store
 * (endpoint, path style, keys from floe's `s3` settings), windowed, and loaded into an Iceberg table exactly once.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/duckdb-engine.js';
import { normalizeFloeConfig } from '../../src/config/floe-config.js';
import { openCatalog } from '../../src/iceberg/catalog/open-catalog.js';
import { S3FileIO } from '../../src/iceberg/io/s3-file-io.js';
import { runBackfill } from '../../src/backfill/run.js';
import { tableOf } from '../../src/iceberg/table/commit.js';
import { scanTable } from '../../src/engine/table-scan.js';
import { S3_TEST_CREDENTIALS, startS3Server } from '../helpers/s3-server.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

test('backfill from a Parquet file on S3 into an Iceberg table, once', async () => {
  const s3 = await startS3Server();
  const dir = await mkdtemp(join(tmpdir(), 'floe-bf-s3-'));
  const engine = await Engine.create();
  const config = normalizeFloeConfig({
    default_catalog: 'lake',
    catalogs: { lake: { type: 'sql', uri: `sqlite:${join(dir, 'catalog.db')}`, warehouse: join(dir, 'wh') } },
    s3: { endpoint: s3.endpoint, path_style: true, region: 'us-east-1', access_key_id: S3_TEST_CREDENTIALS.accessKeyId, secret_access_key: S3_TEST_CREDENTIALS.secretAccessKey },
  });
  const io = new S3FileIO({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', ...S3_TEST_CREDENTIALS });
  try {
    const local = join(dir, 'trades.parquet');
    await engine.run(`COPY (SELECT range::BIGINT AS id, 'T' || (range % 13) AS ticker, (range * 0.25)::DECIMAL(12,2) AS qty FROM range(1, 1001)) TO '${local}' (FORMAT parquet)`);
    const source = `s3://${s3.bucket}/landing/trades.parquet`;
    await io.write(source, new Uint8Array(await readFile(local)));

    const request = { data_source: source, table: 'trades.parquet', target_table: 'bf.trades', config, window_size: 300, parallel: 2 };
    const first = await runBackfill(request);
    assert.equal(first.status, 'completed');
    assert.equal(first.rows_written, 1000);
    assert.ok(first.processed >= 3, `${first.processed} windows`);
    const again = await runBackfill(request);
    assert.equal(again.skipped, first.processed, 'a re-run skips every committed window');

    const catalog = await openCatalog(config);
    try {
      const t = tableOf(await catalog.loadTable({ namespace: ['bf'], name: 'trades' }));
      const { rows } = await scanTable(engine, t, { orderBy: 'id' });
      assert.equal(rows.length, 1000);
      assert.deepEqual([Number(rows[0].id), rows[0].ticker, Number(rows[999].qty)], [1, 'T1', 250]);
    } finally {
      await catalog.close();
    }
  } finally {
    engine.close();
    await io.destroy();
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  }
});
