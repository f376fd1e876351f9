/**
 * Interop with icebird (hyparam's JavaScript Iceberg reader, on hyparquet): tables floe writes, format v2, read by
 * icebird give the same rows as floe's own reader (`scanTable`), at every snapshot (each metadata file, through
 * icebird's `metadataFileName` time travel). One table is unpartitioned and merges manifests from its second
 * append on (so icebird also meets EXISTING manifest entries, which must carry explicit sequence numbers), one is
 * identity-partitioned on two columns, and one lives in a hadoop catalog that icebird finds by `version-hint.text`.
 *
 * icebird reads over `fetch` only. The warehouse is served by a small static HTTP server (GET/HEAD with byte
 * ranges), and while icebird runs, `fetch` maps paths inside the warehouse — floe records local paths in metadata,
 * manifest lists and manifests — to that server, as icebird itself maps `s3://` paths to their HTTPS addresses.
 *
 * Values are compared after normalizing each reader's JS shape by the column's Iceberg type. Known icebird/hyparquet
 * representations (not floe issues): decimals come back as doubles (compared at the column's scale), `uuid` as
 * 16 raw bytes, `binary` decoded as UTF-8 text (so the test's binary values are ASCII), maps as plain objects.
 */
import { test, after } from 'node:test';
import { strict as assert } from 'node:assert';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve, sep } from 'node:path';
import { icebergRead } from 'icebird';
import { Engine } from '../../src/engine/duckdb-engine.js';
import { scanTable } from '../../src/engine/table-scan.js';
import type { Catalog, CatalogTable } from '../../src/iceberg/catalog/catalog.js';
import { HadoopCatalog } from '../../src/iceberg/catalog/hadoop-catalog.js';
import { SqlCatalog } from '../../src/iceberg/catalog/sql-catalog.js';
import { parseTableName } from '../../src/iceberg/catalog/open-catalog.js';
import type { IcebergType } from '../../src/iceberg/spec/types.js';
import { currentSchema } from '../../src/iceberg/spec/table-metadata.js';
import { tableOf } from '../../src/iceberg/table/commit.js';
import { loadSnapshotManifests } from '../../src/iceberg/table/snapshot-manifests.js';
import { readTableMetadataFile } from '../../src/iceberg/table/table-files.js';
import { writeIceberg, type IcebergWriterConfig } from '../../src/warehouses/iceberg/iceberg-writer.js';

const ROWS_PER_APPEND = 6;

/** One append's rows: `batch` shifts ids and values so every append adds distinct rows. */
function batchSql(batch: number): string {
  const n = `(range + ${batch * 100})`;
  return `SELECT
      ${n}::BIGINT AS id,
      (range % 3)::INTEGER AS k,
      'r' || (range % 2) AS region,
      (${n} * 7)::SMALLINT AS small,
      ${n} / 3.0 AS dbl,
      (${n} / 3.0)::REAL AS flt,
      (${n} / 4)::DECIMAL(10, 2) AS dec,
      (${n} * 1000000.000123)::DECIMAL(38, 6) AS bigdec,
      range % 2 = 0 AS flag,
      DATE '2024-02-27' + ${n}::INTEGER AS day,
      TIMESTAMP '2024-01-01 00:00:00.125' + to_seconds(${n}) AS ts,
      TIMESTAMPTZ '2024-01-01 00:00:00.5+00' + to_seconds(${n} * 3600) AS tstz,
      TIME '12:34:56' + to_seconds(${n}) AS tm,
      md5(${n}::VARCHAR)::UUID AS u,
      ('bin-' || ${n})::BLOB AS bin,
      CASE WHEN range = 1 THEN NULL ELSE 'name ' || ${n} END AS name,
      [${n}, ${n} + 1] AS tags,
      {'a': ${n}, 'b': 'q' || ${n}} AS point,
      MAP {'m': ${n}} AS attrs
    FROM range(${ROWS_PER_APPEND})`;
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** One value as a comparable JSON-able form, whichever reader produced it. */
function normalize(v: unknown, type: IcebergType): unknown {
  if (v === null || v === undefined) return null;
  if (typeof type !== 'string') {
    if (type.type === 'list') return (v as unknown[]).map((e) => normalize(e, type.element));
    if (type.type === 'struct') {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(type.fields.map((f) => [f.name, normalize(o[f.name], f.type)]));
    }
    // floe/DuckDB: [{key, value}]; icebird: a plain object keyed by the map's keys.
    const entries = Array.isArray(v)
      ? (v as Array<{ key: unknown; value: unknown }>).map((e) => [e.key, e.value] as const)
      : Object.entries(v as Record<string, unknown>);
    return entries.map(([k, val]) => [normalize(k, type.key), normalize(val, type.value)]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  }
  const decimal = /^decimal\(\s*\d+\s*,\s*(\d+)\s*\)$/.exec(type);
  if (decimal) return Number(v).toFixed(Number(decimal[1]));
  switch (type) {
    case 'float':
    case 'double':
      return Number(v);
    case 'date':
      return v instanceof Date ? v.toISOString().slice(0, 10) : String(v);
    case 'timestamp':
    case 'timestamptz':
      return v instanceof Date ? v.toISOString() : String(v);
    case 'uuid':
      return v instanceof Uint8Array ? hex(v) : String(v).replace(/-/g, '').toLowerCase();
    case 'binary':
      return v instanceof Uint8Array ? hex(v) : Buffer.from(String(v), 'utf8').toString('hex');
    default:
      return typeof v === 'bigint' || typeof v === 'number' ? String(v) : v;
  }
}

/** Rows as a sorted list of normalized JSON lines (a multiset). */
function normalizedRows(rows: Record<string, unknown>[], ct: CatalogTable): string[] {
  const fields = currentSchema(ct.metadata).fields;
  return rows.map((r) => JSON.stringify(fields.map((f) => [f.name, normalize(r[f.name], f.type)]))).sort();
}

/** Serves files under `root` (GET and HEAD, single byte ranges); nothing outside it. */
async function serveDirectory(root: string): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    void (async () => {
      const path = resolve(root, `.${decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)}`);
      if (!path.startsWith(root + sep) || (req.method !== 'GET' && req.method !== 'HEAD')) {
        res.writeHead(path.startsWith(root + sep) ? 405 : 403).end();
        return;
      }
      const size = await stat(path).then(
        (s) => (s.isFile() ? s.size : undefined),
        () => undefined,
      );
      if (size === undefined) {
        res.writeHead(404).end();
        return;
      }
      const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
      let start = 0;
      let end = size - 1;
      if (range) {
        start = range[1] === '' ? Math.max(0, size - Number(range[2])) : Number(range[1]);
        end = range[1] !== '' && range[2] !== '' ? Math.min(Number(range[2]), size - 1) : size - 1;
        if (start > end) {
          res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
          return;
        }
        res.writeHead(206, { 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${size}`, 'accept-ranges': 'bytes' });
      } else {
        res.writeHead(200, { 'content-length': size, 'accept-ranges': 'bytes' });
      }
      if (req.method === 'HEAD' || size === 0) res.end();
      else createReadStream(path, { start, end }).pipe(res);
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const dir = resolve(await mkdtemp(join(tmpdir(), 'floe-icebird-')));
const warehouse = join(dir, 'wh');
const { server, base } = await serveDirectory(dir);
const engine = await Engine.create();
const sqlCatalog = await SqlCatalog.open('icebird_interop', { uri: `sqlite:${join(dir, 'catalog.db')}`, warehouse });
const hadoopCatalog = new HadoopCatalog('hadoop', { warehouse: join(dir, 'hadoop') });

/** The HTTP address of a local path under the served directory. */
function urlOf(path: string): string {
  return `${base}/${relative(dir, path).split(sep).map(encodeURIComponent).join('/')}`;
}

/** Runs `f` with `fetch` sending local paths under the served directory to the server. */
async function withServedPaths<T>(f: () => Promise<T>): Promise<T> {
  const realFetch = globalThis.fetch;
  globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    return realFetch(url.startsWith(dir + sep) ? urlOf(url) : input, init);
  }) as typeof fetch;
  try {
    return await f();
  } finally {
    globalThis.fetch = realFetch;
  }
}

after(async () => {
  engine.close();
  await sqlCatalog.close();
  await hadoopCatalog.close();
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

/** Writes `appends` batches to `table`; returns the table as loaded after the last. */
async function writeBatches(catalog: Catalog, config: IcebergWriterConfig, appends: number): Promise<CatalogTable> {
  for (let b = 0; b < appends; b++) await writeIceberg(config, { sql: batchSql(b) }, {}, { catalog, engine });
  return catalog.loadTable(parseTableName(config.table));
}

/** icebird and floe agree on every snapshot of `ct`, read through each metadata file that has one. */
async function assertSameRowsAtEverySnapshot(ct: CatalogTable, appends: number): Promise<void> {
  const metadataFiles = [...ct.metadata['metadata-log'].map((e) => e['metadata-file']), ct.metadataLocation];
  let checked = 0;
  for (const file of metadataFiles) {
    const md = await readTableMetadataFile(ct.io, file);
    const snapshotId = md['current-snapshot-id'];
    if (snapshotId === undefined) continue; // the table as created, before any append: icebird reads no empty table
    checked++;
    const view: CatalogTable = { ...ct, metadata: md, metadataLocation: file };
    const floe = await scanTable(engine, tableOf(view), { snapshotId });
    const icebird = await withServedPaths(() => icebergRead({ tableUrl: urlOf(md.location), metadataFileName: basename(file) }));
    assert.equal(floe.rows.length, checked * ROWS_PER_APPEND, `floe rows at snapshot ${checked}`);
    assert.equal(icebird.length, floe.rows.length, `icebird rows at snapshot ${checked} (${basename(file)})`);
    assert.deepEqual(normalizedRows(icebird, view), normalizedRows(floe.rows, view), `rows at snapshot ${checked}`);
  }
  assert.equal(checked, appends);
}

test('icebird reads an unpartitioned v2 table floe wrote, at every snapshot (merged manifests included)', async () => {
  const config: IcebergWriterConfig = {
    catalog: 'sql',
    table: 'interop.plain',
    format_version: 2,
    // From the second append on, manifests are merged: icebird meets EXISTING entries, not only ADDED ones.
    properties: { 'commit.manifest.min-count-to-merge': '2' },
  };
  const ct = await writeBatches(sqlCatalog, config, 3);
  assert.equal(ct.metadata['format-version'], 2);
  assert.equal(ct.metadata['partition-specs'].find((s) => s['spec-id'] === ct.metadata['default-spec-id'])!.fields.length, 0);
  const last = await loadSnapshotManifests(tableOf(ct), ct.metadata.snapshots.at(-1)!);
  const statuses = last.flatMap((m) => m.entries.map((e) => e.status));
  assert.ok(statuses.includes(0), `the last snapshot has EXISTING entries (merged manifests), got statuses ${statuses}`);
  await assertSameRowsAtEverySnapshot(ct, 3);
});

test('icebird reads an identity-partitioned v2 table floe wrote, at every snapshot', async () => {
  const config: IcebergWriterConfig = {
    catalog: 'sql',
    table: 'interop.parted',
    format_version: 2,
    partition_spec: [
      { field: 'region', transform: 'identity' },
      { field: 'k', transform: 'identity' },
    ],
  };
  const ct = await writeBatches(sqlCatalog, config, 3);
  const spec = ct.metadata['partition-specs'].find((s) => s['spec-id'] === ct.metadata['default-spec-id'])!;
  assert.deepEqual(spec.fields.map((f) => f.transform), ['identity', 'identity']);
  // 2 regions x 3 values of k per append: several data files per snapshot.
  assert.equal(ct.metadata.snapshots.at(-1)!.summary['total-data-files'], String(3 * 6));
  await assertSameRowsAtEverySnapshot(ct, 3);
});

test('icebird finds a hadoop-catalog table floe wrote through version-hint.text', async () => {
  const config: IcebergWriterConfig = {
    catalog: 'hadoop',
    table: 'interop.hinted',
    format_version: 2,
    partition_spec: [{ field: 'region', transform: 'identity' }],
  };
  const ct = await writeBatches(hadoopCatalog, config, 2);
  // No metadataFileName: icebird reads metadata/version-hint.text and then v<N>.metadata.json.
  const icebird = await withServedPaths(() => icebergRead({ tableUrl: urlOf(ct.metadata.location) }));
  const floe = await scanTable(engine, tableOf(ct));
  assert.equal(floe.rows.length, 2 * ROWS_PER_APPEND);
  assert.deepEqual(normalizedRows(icebird, ct), normalizedRows(floe.rows, ct));
});

test('icebird applies partition-scoped position deletes floe wrote (data pages v2), merge-on-read delete and upsert', async () => {
  const config: IcebergWriterConfig = {
    catalog: 'sql',
    table: 'interop.deletes',
    format_version: 2,
    partition_spec: [{ field: 'region', transform: 'identity' }],
    properties: {
      'write.delete.mode': 'merge-on-read',
      'write.update.mode': 'merge-on-read',
      'write.delete.granularity': 'partition',
      'write.delete.parquet.page-version': 'v2',
    },
  };
  await writeBatches(sqlCatalog, config, 3);
  const { deleteRows } = await import('../../src/warehouses/iceberg/row-level/delete-rows.js');
  const id = parseTableName(config.table);
  await deleteRows(sqlCatalog, id, 'id % 3 = 1', { engine });
  await writeIceberg({ ...config, write_mode: 'upsert', key_columns: ['id'] }, { sql: `SELECT * REPLACE ('upserted' AS name) FROM (${batchSql(1)}) WHERE id % 2 = 0` }, {}, { catalog: sqlCatalog, engine });
  const ct = await sqlCatalog.loadTable(id);
  const last = await loadSnapshotManifests(tableOf(ct), ct.metadata.snapshots.at(-1)!);
  const deletes = last.flatMap((m) => m.entries.map((e) => e.data_file)).filter((f) => f.content === 1);
  assert.ok(deletes.some((f) => f.referenced_data_file == null), 'some delete file names several data files');
  const floe = await scanTable(engine, tableOf(ct));
  // 6 rows deleted (id % 3 = 1), then 100 (one of them) upserted back in.
  assert.equal(floe.rows.length, 3 * ROWS_PER_APPEND - 6 + 1);
  const icebird = await withServedPaths(() => icebergRead({ tableUrl: urlOf(ct.metadata.location), metadataFileName: basename(ct.metadataLocation) }));
  assert.deepEqual(normalizedRows(icebird, ct), normalizedRows(floe.rows, ct));
});
