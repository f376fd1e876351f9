/**
 * writeDataFiles: Parquet files with field ids and manifest metrics that agree with the files themselves,
 * partition values equal to `applyTransform` of the rows (every transform, pre-1970 and multi-byte values
 * included), Java's partition paths, rolling at the target size, sort order within files, schema mismatches that
 * leave nothing behind, JS rows through the appender, and a round trip through a table scan.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTimeValue,
  DuckDBUUIDValue,
  type DuckDBValue,
} from '@duckdb/node-api';
import { Engine } from '../../src/engine/duckdb-engine.js';
import { appendRowsToTemp, writeDataFiles, type WriteDataFilesOptions } from '../../src/engine/data-file-writer.js';
import { describeParquetFile } from '../../src/engine/parquet-data-file.js';
import { javaUrlEncode } from '../../src/engine/partition-sql.js';
import { scanTable } from '../../src/engine/table-scan.js';
import { isFloeError } from '../../src/errors.js';
import type { DataFile } from '../../src/iceberg/avro/manifest.js';
import { LocalFileIO } from '../../src/iceberg/io/local-file-io.js';
import { deserializeValue } from '../../src/iceberg/spec/bounds.js';
import type { PartitionSpec } from '../../src/iceberg/spec/partition-spec.js';
import type { Schema } from '../../src/iceberg/spec/schema.js';
import type { SortOrder } from '../../src/iceberg/spec/sort-order.js';
import { applyTransform, parseTransform, transformToHumanString } from '../../src/iceberg/spec/transforms.js';
import { parsePrimitive, type NestedField, type PrimitiveValue } from '../../src/iceberg/spec/types.js';
import { createTableFromFiles } from '../../src/iceberg/table/create-table-from-files.js';
import { openTable } from '../../src/iceberg/table/table.js';

const io = new LocalFileIO();
const UNPARTITIONED: PartitionSpec = { 'spec-id': 0, fields: [] };
const UNSORTED: SortOrder = { 'order-id': 0, fields: [] };

function schemaOf(fields: Array<[string, NestedField['type'], boolean?]>): Schema {
  return {
    type: 'struct',
    'schema-id': 0,
    fields: fields.map(([name, type, required], i) => ({ id: i + 1, name, required: required ?? false, type })),
  };
}

async function withEngine(fn: (engine: Engine, dir: string) => Promise<void>): Promise<void> {
  const engine = await Engine.create();
  const dir = await mkdtemp(join(tmpdir(), 'floe-writer-'));
  try {
    await fn(engine, dir);
  } finally {
    engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function write(engine: Engine, opts: Partial<WriteDataFilesOptions> & Pick<WriteDataFilesOptions, 'source' | 'schema' | 'location'>) {
  return writeDataFiles(engine, {
    spec: UNPARTITIONED,
    sortOrder: UNSORTED,
    properties: {},
    fileIO: io,
    formatVersion: 2,
    ...opts,
  });
}

/** A DuckDB value in floe's in-memory convention, read independently of the writer's SQL. */
function toPrimitive(v: DuckDBValue): PrimitiveValue | null {
  if (v === null) return null;
  if (v instanceof DuckDBDateValue) return v.days;
  if (v instanceof DuckDBTimestampValue || v instanceof DuckDBTimestampTZValue || v instanceof DuckDBTimeValue) return v.micros;
  if (v instanceof DuckDBTimestampNanosecondsValue) return v.nanos;
  if (v instanceof DuckDBDecimalValue) return v.value;
  if (v instanceof DuckDBUUIDValue) return v.toString();
  if (v instanceof DuckDBBlobValue) return new Uint8Array(v.bytes);
  return v as PrimitiveValue;
}

async function columnValues(engine: Engine, file: string, column: string): Promise<Array<PrimitiveValue | null>> {
  const res = await engine.run(`SELECT "${column}" FROM read_parquet('${file}') ORDER BY file_row_number`);
  return (await res.getRows()).map((r) => toPrimitive(r[0]));
}

async function listFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  return (await readdir(dir, { recursive: true })).map(String);
}

const PRIMS = `(SELECT
    i::INTEGER AS i, (i * 1000000007)::BIGINT AS l, (i / 7)::FLOAT AS f,
    CASE WHEN i = 3 THEN 'nan'::DOUBLE WHEN i % 5 = 0 THEN NULL ELSE i * -1.25 END AS d,
    CASE WHEN i % 4 = 0 THEN NULL ELSE 'ключ-' || i || repeat('é', i % 20) END AS s,
    DATE '1969-12-25' + i::INTEGER AS dt, TIMESTAMP '1969-12-31 23:00:00' + to_minutes(i * 7) AS ts,
    TIMESTAMPTZ '2024-03-10 01:30:00+00' + to_hours(i) AS tz, (i * 3.14159)::DECIMAL(12,3) AS dec,
    i % 2 = 0 AS b, TIME '00:00:01' + to_seconds(i) AS t,
    ('00000000-0000-4000-8000-' || lpad(i::VARCHAR, 12, '0'))::UUID AS u, encode('bin' || i) AS bin,
    {'x': i, 'y': 'v' || i} AS st, [i, i + 1] AS li
  FROM range(60) r(i))`;
const PRIMS_SCHEMA = schemaOf([
  ['i', 'int', true], ['l', 'long'], ['f', 'float'], ['d', 'double'], ['s', 'string'], ['dt', 'date'], ['ts', 'timestamp'],
  ['tz', 'timestamptz'], ['dec', 'decimal(12,3)'], ['b', 'boolean'], ['t', 'time'], ['u', 'uuid'], ['bin', 'binary'],
  ['st', { type: 'struct', fields: [{ id: 100, name: 'x', required: false, type: 'long' }, { id: 101, name: 'y', required: false, type: 'string' }] }],
  ['li', { type: 'list', 'element-id': 102, element: 'long', 'element-required': false }],
]);

test('unpartitioned write: counts and bounds agree with describeParquetFile and DuckDB aggregates', async () => {
  await withEngine(async (engine, dir) => {
    const { files, rowCount } = await write(engine, { source: PRIMS, schema: PRIMS_SCHEMA, location: join(dir, 'data') });
    assert.equal(rowCount, 60n);
    assert.equal(files.length, 1);
    const f = files[0];
    assert.ok(f.file_path.startsWith(join(dir, 'data') + '/'));
    assert.equal(f.sort_order_id, 0);
    const described = await describeParquetFile(engine, io, f.file_path, PRIMS_SCHEMA);
    assert.equal(f.record_count, described.record_count);
    assert.equal(f.file_size_in_bytes, described.file_size_in_bytes);
    for (const id of described.value_counts!.keys()) {
      assert.equal(f.value_counts!.get(id), described.value_counts!.get(id), `value count ${id}`);
      assert.equal(f.null_value_counts!.get(id), described.null_value_counts!.get(id), `null count ${id}`);
      assert.equal(f.column_sizes!.get(id), described.column_sizes!.get(id), `column size ${id}`);
    }
    for (const id of described.lower_bounds!.keys()) {
      if (id === 3 || id === 4) continue; // float and double: compared below
      assert.deepEqual(f.lower_bounds!.get(id), described.lower_bounds!.get(id), `lower bound ${id}`);
      assert.deepEqual(f.upper_bounds!.get(id), described.upper_bounds!.get(id), `upper bound ${id}`);
    }
    // Floating-point bounds are equal as numbers; a zero minimum is written as -0.0, as Parquet's writers do
    // (PARQUET-1222), since readers may order -0.0 below 0.0.
    // NaN is never a bound (describeParquetFile gives none for a column with NaN; DuckDB's max() is NaN there).
    const [[dMin, dMax]] = await (await engine.run(
      `SELECT min(d) FILTER (WHERE NOT isnan(d)), max(d) FILTER (WHERE NOT isnan(d)) FROM read_parquet('${f.file_path}')`,
    )).getRowsJS();
    const expected = {
      lower_bounds: [deserializeValue('float', described.lower_bounds!.get(3)!), dMin],
      upper_bounds: [deserializeValue('float', described.upper_bounds!.get(3)!), dMax],
    };
    for (const which of ['lower_bounds', 'upper_bounds'] as const) {
      const ours = [deserializeValue('float', f[which]!.get(3)!), deserializeValue('double', f[which]!.get(4)!)];
      assert.ok(ours[0] === expected[which][0] && ours[1] === expected[which][1], `${which}: ${ours} vs ${expected[which]}`);
    }
    assert.ok(Object.is(deserializeValue('float', f.lower_bounds!.get(3)!), -0));
    // The string column is truncated to 16 code points; its upper bound incremented.
    assert.equal(deserializeValue('string', f.lower_bounds!.get(5)!), 'ключ-10ééééééééé');
    assert.equal(deserializeValue('string', f.upper_bounds!.get(5)!), 'ключ-9ééééééééé'); // 15 code points: whole
    // Bounds describeParquetFile does not compute, against DuckDB's own min/max of the file.
    const [mins] = await (await engine.run(
      `SELECT min(dec), max(dec), min(u), max(u), min(bin), max(bin), min(t), max(t), min(st.x), max(st.x) FROM read_parquet('${f.file_path}')`,
    )).getRows();
    const ids = [9, 9, 12, 12, 13, 13, 11, 11, 100, 100];
    const types = ['decimal(12,3)', 'decimal(12,3)', 'uuid', 'uuid', 'binary', 'binary', 'time', 'time', 'long', 'long'];
    mins.forEach((v, k) => {
      const bounds = k % 2 === 0 ? f.lower_bounds! : f.upper_bounds!;
      const expected = toPrimitive(v);
      assert.deepEqual(deserializeValue(types[k], bounds.get(ids[k])!), expected, `bound of field ${ids[k]}`);
    });
    // NaN: DuckDB only says whether a column has NaNs: 0 when none, no count (unknown) when some.
    assert.equal(f.nan_value_counts!.get(3), 0n);
    assert.equal(f.nan_value_counts!.has(4), false);
    // Nested leaves: counts by field id; list elements get no bounds.
    assert.equal(f.value_counts!.get(102), 120n);
    assert.equal(f.lower_bounds!.has(102), false);
    // Field ids and the schema in the footer.
    const ids2 = await (await engine.run(
      `SELECT name, field_id FROM parquet_schema('${f.file_path}') WHERE field_id IS NOT NULL ORDER BY field_id`,
    )).getRowsJS();
    assert.deepEqual(ids2.map((r) => Number(r[1])), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 100, 101, 102]);
    const kv = await (await engine.run(`SELECT decode(value) FROM parquet_kv_metadata('${f.file_path}') WHERE decode(key) = 'iceberg.schema'`)).getRowsJS();
    assert.equal(JSON.parse(kv[0][0] as string).fields.length, 15);
  });
});

/** Every row of every file maps to the file's partition tuple; paths are Java's. Returns the files. */
async function checkPartitions(engine: Engine, location: string, schema: Schema, spec: PartitionSpec, files: DataFile[]): Promise<void> {
  for (const file of files) {
    const dirs: string[] = [];
    for (const pf of spec.fields) {
      const source = schema.fields.find((f) => f.id === pf['source-id'])!;
      const t = parseTransform(pf.transform);
      const expected = file.partition.get(pf['field-id']);
      assert.ok(file.partition.has(pf['field-id']), `partition has field ${pf['field-id']}`);
      for (const v of await columnValues(engine, file.file_path, source.name)) {
        assert.deepEqual(applyTransform(t, source.type as string, v), expected, `${pf.transform}(${source.name}) of ${String(v)}`);
      }
      dirs.push(`${javaUrlEncode(pf.name)}=${javaUrlEncode(transformToHumanString(t, expected ?? null, source.type as string))}`);
    }
    const rel = file.file_path.slice(location.length + 1);
    assert.equal(rel.slice(0, rel.lastIndexOf('/')), dirs.join('/'));
  }
}

const TRICKY = `(SELECT
    CASE WHEN i = 0 THEN NULL ELSE (i * 37 - 900)::INTEGER END AS i,
    CASE WHEN i = 1 THEN -9223372036854775808 ELSE (i * 7919 - 150000)::BIGINT * 1000003 END AS l,
    CASE WHEN i = 2 THEN NULL ELSE (['a b/c=d', 'é', 'ééé', '😀x😀', 'e' || chr(769) || 'z', 'plain', 'null', ''])[i % 8 + 1] || (i % 3)::VARCHAR END AS s,
    (i * 12.345 - 500)::DECIMAL(10,3) AS dec,
    DATE '1969-12-31' + (i * 97 - 4000)::INTEGER AS dt,
    CASE WHEN i = 3 THEN DATE '0044-03-15' - 32000::INTEGER ELSE DATE '1600-02-28' END AS old,
    TIMESTAMP '1969-12-31 23:59:59.999999' + to_microseconds((i - 40)::BIGINT * 3600000001) AS ts,
    TIMESTAMPTZ '1970-01-01 00:00:00+00' + to_microseconds((i - 40)::BIGINT * 86399999999) AS tz,
    TIMESTAMP_NS '1969-12-31 23:59:59.999999999' + to_microseconds((i - 40)::BIGINT * 3600000001) AS tsn,
    md5('u' || i)::UUID AS u,
    CASE WHEN i % 9 = 0 THEN NULL ELSE encode('bytes-' || i) END AS bin,
    i % 3 = 0 AS b,
    CASE WHEN i = 4 THEN NULL ELSE ((i % 5) * 0.1)::FLOAT END AS f,
    CASE WHEN i = 5 THEN 'nan'::DOUBLE WHEN i = 6 THEN 'inf'::DOUBLE ELSE (i % 4) * 1e300 END AS d,
    TIME '23:59:59.999999' - to_minutes(i * 17) AS t
  FROM range(80) r(i))`;
const TRICKY_SCHEMA = schemaOf([
  ['i', 'int'], ['l', 'long'], ['s', 'string'], ['dec', 'decimal(10,3)'], ['dt', 'date'], ['old', 'date'], ['ts', 'timestamp'],
  ['tz', 'timestamptz'], ['tsn', 'timestamp_ns'], ['u', 'uuid'], ['bin', 'binary'], ['b', 'boolean'], ['f', 'float'],
  ['d', 'double'], ['t', 'time'],
]);

const TRANSFORM_CASES: Array<[string, string[]]> = [
  ['identity', ['i', 'l', 's', 'dec', 'dt', 'ts', 'tz', 'tsn', 'u', 'bin', 'b', 'f', 'd', 't']],
  ['bucket[16]', ['i', 'l', 's', 'dec', 'dt', 'ts', 'tz', 'tsn', 'u', 'bin', 't']],
  ['bucket[3]', ['l', 's']],
  ['truncate[10]', ['i', 'l', 'dec']],
  ['truncate[2]', ['s', 'bin']],
  ['truncate[1]', ['s']],
  ['year', ['dt', 'old', 'ts', 'tz', 'tsn']],
  ['month', ['dt', 'old', 'ts', 'tz', 'tsn']],
  ['day', ['dt', 'ts', 'tz', 'tsn']],
  ['hour', ['ts', 'tz', 'tsn']],
];

for (const [transform, columns] of TRANSFORM_CASES) {
  test(`partitioned by ${transform}: partition values are applyTransform of every row, paths are Java's`, async () => {
    await withEngine(async (engine, dir) => {
      for (const column of columns) {
        const location = join(dir, column, 'data');
        const source = TRICKY_SCHEMA.fields.find((f) => f.name === column)!;
        const spec: PartitionSpec = {
          'spec-id': 1,
          fields: [{ 'source-id': source.id, 'field-id': 1000, name: `${column}_p`, transform }],
        };
        const { files, rowCount } = await write(engine, { source: TRICKY, schema: TRICKY_SCHEMA, spec, location });
        assert.equal(rowCount, 80n);
        assert.equal(files.reduce((n, f) => n + f.record_count, 0n), 80n);
        await checkPartitions(engine, location, TRICKY_SCHEMA, spec, files);
        // One tuple per file, and distinct tuples per partition directory.
        const dirs = new Set(files.map((f) => f.file_path.slice(0, f.file_path.lastIndexOf('/'))));
        assert.equal(dirs.size, files.length, 'small partitions are written as one file each');
      }
    });
  });
}

test('multi-field partitioning with void and nulls; paths escaped as Java URLEncoder', async () => {
  await withEngine(async (engine, dir) => {
    const location = join(dir, 'data');
    const spec: PartitionSpec = {
      'spec-id': 2,
      fields: [
        { 'source-id': 3, 'field-id': 1000, name: 's id', transform: 'identity' },
        { 'source-id': 5, 'field-id': 1001, name: 'dt_month', transform: 'month' },
        { 'source-id': 1, 'field-id': 1002, name: 'gone', transform: 'void' },
      ],
    };
    const { files } = await write(engine, { source: TRICKY, schema: TRICKY_SCHEMA, spec, location });
    await checkPartitions(engine, location, TRICKY_SCHEMA, spec, files);
    const rel = files.map((f) => f.file_path.slice(location.length + 1));
    assert.ok(rel.some((p) => p.startsWith('s+id=a+b%2Fc%3Dd0/dt_month=')), rel.join('\n'));
    assert.ok(rel.every((p) => p.includes('/gone=null/')));
    assert.ok(rel.some((p) => p.startsWith('s+id=null/')), 'null partition value');
    for (const f of files) assert.equal(f.partition.get(1002), null);
    // Under a file: URI location the paths stay resolvable through FileIO (which decodes %XX there).
    const uri = await write(engine, { source: TRICKY, schema: TRICKY_SCHEMA, spec, location: `file://${dir}/uri/data` });
    assert.ok(uri.files.some((f) => f.file_path.includes('s+id=a+b%252Fc%253Dd0/')));
    for (const f of uri.files) assert.equal(BigInt(await io.size(f.file_path)), f.file_size_in_bytes);
    // A string 'null0' and a null value are different partitions.
    const nulls = files.filter((f) => f.partition.get(1000) === null);
    assert.ok(nulls.length >= 1);
    assert.equal(nulls.reduce((n, f) => n + f.record_count, 0n), 1n);
  });
});

test('a partition source inside a struct', async () => {
  await withEngine(async (engine, dir) => {
    const location = join(dir, 'data');
    const schema: Schema = {
      type: 'struct',
      'schema-id': 0,
      fields: [
        { id: 1, name: 'id', required: true, type: 'long' },
        { id: 2, name: 'st', required: false, type: { type: 'struct', fields: [
          { id: 3, name: 'x', required: false, type: 'int' },
          { id: 4, name: 'y', required: false, type: 'string' },
        ] } },
      ],
    };
    const spec: PartitionSpec = {
      'spec-id': 1,
      fields: [
        { 'source-id': 3, 'field-id': 1000, name: 'x_bucket', transform: 'bucket[4]' },
        { 'source-id': 4, 'field-id': 1001, name: 'y', transform: 'truncate[3]' },
      ],
    };
    const source = `(SELECT i AS id, CASE WHEN i % 7 = 0 THEN NULL ELSE {'x': (i * 31)::INTEGER, 'y': 'ж' || (i % 3)} END AS st FROM range(50) r(i))`;
    const { files } = await write(engine, { source, schema, spec, location });
    assert.equal(files.reduce((n, f) => n + f.record_count, 0n), 50n);
    for (const f of files) {
      const rows = await (await engine.run(`SELECT st.x, st.y FROM read_parquet('${f.file_path}')`)).getRowsJS();
      for (const [x, y] of rows as Array<[number | null, string | null]>) {
        assert.equal(applyTransform(parseTransform('bucket[4]'), 'int', x), f.partition.get(1000));
        assert.equal(applyTransform(parseTransform('truncate[3]'), 'string', y), f.partition.get(1001));
      }
    }
  });
});

test('file names are unique across writes; a write leaves no staging directory', async () => {
  await withEngine(async (engine, dir) => {
    const location = join(dir, 'data');
    const a = await write(engine, { source: PRIMS, schema: PRIMS_SCHEMA, location });
    const b = await write(engine, { source: PRIMS, schema: PRIMS_SCHEMA, location });
    const paths = [...a.files, ...b.files].map((f) => f.file_path);
    assert.equal(new Set(paths).size, paths.length);
    assert.deepEqual((await listFiles(location)).sort(), paths.map((p) => p.slice(location.length + 1)).sort());
  });
});

test('files roll at write.target-file-size-bytes, unpartitioned and within a partition', async () => {
  await withEngine(async (engine, dir) => {
    const schema = schemaOf([['id', 'long'], ['k', 'int'], ['payload', 'string']]);
    const source = `(SELECT i AS id, (i % 2)::INTEGER AS k, md5(i::VARCHAR) AS payload FROM range(400000) r(i))`;
    const properties = { 'write.target-file-size-bytes': '1000000' };
    const plain = await write(engine, { source, schema, location: join(dir, 'a'), properties });
    assert.ok(plain.files.length >= 4, `${plain.files.length} files`);
    assert.equal(plain.rowCount, 400000n);
    const spec: PartitionSpec = { 'spec-id': 1, fields: [{ 'source-id': 2, 'field-id': 1000, name: 'k', transform: 'identity' }] };
    const parted = await write(engine, { source, schema, spec, location: join(dir, 'b'), properties });
    assert.equal(parted.rowCount, 400000n);
    for (const k of [0, 1]) {
      const inK = parted.files.filter((f) => f.partition.get(1000) === k);
      assert.ok(inK.length >= 2, `partition k=${k} has ${inK.length} files`);
      for (const f of inK) assert.ok(f.file_path.includes(`/k=${k}/`));
    }
    const [[count, distinct]] = await (await engine.run(
      `SELECT count(*), count(DISTINCT id) FROM read_parquet(${JSON.stringify(parted.files.map((f) => f.file_path)).replace(/"/g, "'")})`,
    )).getRowsJS();
    assert.equal(count, 400000n);
    assert.equal(distinct, 400000n);
  });
});

/** True when the rows of `file`, in file order, are sorted by `orderBy`. */
async function sortedWithin(engine: Engine, file: string, orderBy: string): Promise<boolean> {
  const res = await engine.run(
    `SELECT bool_and(a = b) FROM (SELECT file_row_number AS a, row_number() OVER (ORDER BY ${orderBy}, file_row_number) - 1 AS b FROM read_parquet('${file}', file_row_number = true))`,
  );
  return (await res.getRowsJS())[0][0] as boolean;
}

test('rows are sorted by the sort order within files (transforms, directions, null order)', async () => {
  await withEngine(async (engine, dir) => {
    const schema = schemaOf([['id', 'long'], ['s', 'string'], ['k', 'int']]);
    const source = `(SELECT (hash(i) % 100000)::BIGINT AS id, CASE WHEN i % 10 = 0 THEN NULL ELSE md5(i::VARCHAR) END AS s, (i % 3)::INTEGER AS k FROM range(300000) r(i))`;
    const sortOrder: SortOrder = {
      'order-id': 3,
      fields: [
        { transform: 'truncate[1]', 'source-id': 2, direction: 'desc', 'null-order': 'nulls-first' },
        { transform: 'identity', 'source-id': 1, direction: 'asc', 'null-order': 'nulls-last' },
      ],
    };
    const orderBy = `left(s, 1) DESC NULLS FIRST, id ASC NULLS LAST`;
    // Several runs: an order lost to parallel writing shows up only sometimes.
    for (let run = 0; run < 3; run++) {
      const plain = await write(engine, { source, schema, sortOrder, location: join(dir, `a${run}`), properties: { 'write.target-file-size-bytes': '2000000' } });
      assert.ok(plain.files.length >= 2, `${plain.files.length} files`);
      // The files, in the order returned, hold the rows in sort order: within each file and across them.
      const all = `read_parquet([${plain.files.map((f) => `'${f.file_path}'`).join(', ')}], filename = true, file_row_number = true)`;
      const position = plain.files.map((f, i) => `WHEN '${f.file_path}' THEN ${i}`).join(' ');
      const [[inOrder]] = await (await engine.run(
        `SELECT bool_and(a = b) FROM (SELECT row_number() OVER (ORDER BY CASE filename ${position} END, file_row_number) AS a, ` +
          `row_number() OVER (ORDER BY ${orderBy}, CASE filename ${position} END, file_row_number) AS b FROM ${all})`,
      )).getRowsJS();
      assert.equal(inOrder, true, `run ${run}`);
      for (const f of plain.files) assert.equal(f.sort_order_id, 3);
    }
    const spec: PartitionSpec = { 'spec-id': 1, fields: [{ 'source-id': 3, 'field-id': 1000, name: 'k_bucket', transform: 'bucket[2]' }] };
    const parted = await write(engine, { source, schema, spec, sortOrder, location: join(dir, 'b'), properties: { 'write.target-file-size-bytes': '500000' } });
    assert.equal(parted.rowCount, 300000n);
    assert.ok(parted.files.length >= 3, `${parted.files.length} files`);
    for (const f of parted.files) assert.ok(await sortedWithin(engine, f.file_path, orderBy), f.file_path);
    // And a bucket sort transform orders by the bucket number.
    const byBucket: SortOrder = { 'order-id': 4, fields: [{ transform: 'bucket[8]', 'source-id': 1, direction: 'asc', 'null-order': 'nulls-first' }] };
    const bucketed = await write(engine, { source, schema, sortOrder: byBucket, location: join(dir, 'c') });
    const ids = await columnValues(engine, bucketed.files[0].file_path, 'id');
    const buckets = ids.map((v) => applyTransform(parseTransform('bucket[8]'), 'long', v) as number);
    assert.deepEqual(buckets, [...buckets].sort((a, b) => a - b));
  });
});

test('a source that does not fit the schema is SCHEMA_MISMATCH with every difference, and nothing is written', async () => {
  await withEngine(async (engine, dir) => {
    const location = join(dir, 'data');
    const schema = schemaOf([
      ['id', 'int', true], ['name', 'string', true], ['amount', 'decimal(10,2)'], ['day', 'date'],
      ['nested', { type: 'struct', fields: [{ id: 50, name: 'a', required: false, type: 'int' }] }],
    ]);
    const source = `(SELECT 1::BIGINT AS id, 12.5::DECIMAL(12,2) AS amount, '2024-01-01' AS day, {'a': 1, 'b': 2} AS nested, 7 AS extra)`;
    await assert.rejects(write(engine, { source, schema, location }), (err) => {
      assert.ok(isFloeError(err, 'SCHEMA_MISMATCH'));
      assert.deepEqual(err.context.differences, [
        { column: 'id', expected: 'int', actual: 'BIGINT' },
        { column: 'name', expected: 'required string', actual: 'missing' },
        { column: 'amount', expected: 'decimal(10,2)', actual: 'DECIMAL(12,2)' },
        { column: 'day', expected: 'date', actual: 'VARCHAR' },
        { column: 'nested.b', expected: 'absent', actual: 'INTEGER' },
        { column: 'extra', expected: 'absent', actual: 'INTEGER' },
      ]);
      return true;
    });
    assert.deepEqual(await listFiles(location), []);
    // Safe widenings pass; a missing optional column is written as null.
    const ok = await write(engine, {
      source: `(SELECT 1::SMALLINT AS ID, 'x' AS name, 12.5::DECIMAL(5,1) AS amount)`,
      schema,
      location,
    });
    assert.equal(ok.files[0].null_value_counts!.get(4), 1n);
  });
});

test('nulls in a required column are SCHEMA_MISMATCH after the write, and its files are removed', async () => {
  await withEngine(async (engine, dir) => {
    const location = join(dir, 'data');
    const schema = schemaOf([['id', 'long', true], ['k', 'int']]);
    const source = `(SELECT CASE WHEN i = 5 THEN NULL ELSE i END AS id, (i % 3)::INTEGER AS k FROM range(10) r(i))`;
    const spec: PartitionSpec = { 'spec-id': 1, fields: [{ 'source-id': 2, 'field-id': 1000, name: 'k', transform: 'identity' }] };
    for (const s of [UNPARTITIONED, spec]) {
      await assert.rejects(write(engine, { source, schema, spec: s, location }), (err) => {
        assert.ok(isFloeError(err, 'SCHEMA_MISMATCH'));
        assert.deepEqual(err.context.differences, [{ column: 'id', expected: 'required long', actual: '1 null value(s)' }]);
        return true;
      });
      assert.deepEqual(await listFiles(location), []);
    }
  });
});

test('values a type cannot hold are found while writing: SCHEMA_MISMATCH, nothing left behind', async () => {
  await withEngine(async (engine, dir) => {
    const location = join(dir, 'data');
    const schema = schemaOf([
      ['id', 'long'],
      ['digest', 'fixed[4]'],
      ['pt', { type: 'struct', fields: [{ id: 10, name: 'x', required: false, type: 'int' }] }, true],
    ]);
    const badFixed = `(SELECT i AS id, CASE WHEN i = 7 THEN '\\x01\\x02'::BLOB ELSE '\\x01\\x02\\x03\\x04'::BLOB END AS digest, {'x': 1} AS pt FROM range(10) r(i))`;
    await assert.rejects(write(engine, { source: badFixed, schema, location }), (err) => {
      assert.ok(isFloeError(err, 'SCHEMA_MISMATCH'));
      assert.deepEqual(err.context.differences, [{ column: 'digest', expected: 'fixed[4]', actual: 'a value of another length' }]);
      return true;
    });
    const nullStruct = `(SELECT i AS id, NULL::BLOB AS digest, CASE WHEN i = 3 THEN NULL ELSE {'x': 1} END AS pt FROM range(10) r(i))`;
    await assert.rejects(write(engine, { source: nullStruct, schema, location }), (err) => {
      assert.ok(isFloeError(err, 'SCHEMA_MISMATCH'));
      assert.deepEqual(err.context.differences, [{ column: 'pt', expected: 'required struct<x: int>', actual: 'null' }]);
      return true;
    });
    assert.deepEqual(await listFiles(location), []);
    const ok = await write(engine, { source: nullStruct.replace('WHEN i = 3 THEN NULL', 'WHEN false THEN NULL'), schema, location });
    assert.equal(ok.rowCount, 10n);
  });
});

test('JS rows from sync and async iterables land in the files with their values', async () => {
  await withEngine(async (engine, dir) => {
    const schema = schemaOf([
      ['id', 'long', true], ['name', 'string'], ['price', 'decimal(9,2)'], ['day', 'date'], ['at', 'timestamptz'],
      ['tags', { type: 'list', 'element-id': 20, element: 'string', 'element-required': false }],
      ['point', { type: 'struct', fields: [{ id: 21, name: 'x', required: false, type: 'double' }, { id: 22, name: 'y', required: false, type: 'double' }] }],
    ]);
    const rows = Array.from({ length: 5000 }, (_, i) => ({
      id: BigInt(i),
      name: i % 7 === 0 ? null : `n${i}`,
      price: i % 2 === 0 ? `${i}.25` : 1234n, // a JSON decimal string or an unscaled bigint
      day: i % 3 === 0 ? '1969-07-20' : i, // Appendix D string or days since the epoch
      at: i % 2 === 0 ? BigInt(i) * 1_000_001n : new Date(Date.UTC(2024, 0, 1)),
      tags: ['a', `t${i}`],
      point: { x: i / 2 }, // y left out: null
    }));
    async function* slowly() {
      for (const r of rows) yield r;
    }
    for (const input of [rows, slowly()]) {
      const temp = await appendRowsToTemp(engine, schema, input);
      const location = join(dir, temp, 'data');
      const { files, rowCount } = await write(engine, { source: temp, schema, location });
      await engine.run(`DROP TABLE ${temp}`);
      assert.equal(rowCount, 5000n);
      const got = await (await engine.run(
        `SELECT id, name, price, day, "at", tags, point FROM read_parquet('${files[0].file_path}') ORDER BY id`,
      )).getRows();
      for (const i of [0, 1, 3, 4998, 4999]) {
        const r = got[i].map(toPrimitive);
        assert.equal(r[0], BigInt(i));
        assert.equal(r[1], i % 7 === 0 ? null : `n${i}`);
        assert.equal(r[2], i % 2 === 0 ? BigInt(i) * 100n + 25n : 1234n);
        assert.equal(r[3], i % 3 === 0 ? -165 : i);
        assert.equal(r[4], i % 2 === 0 ? BigInt(i) * 1_000_001n : 1_704_067_200_000_000n);
      }
      const [[tags, point]] = await (await engine.run(`SELECT tags, point FROM read_parquet('${files[0].file_path}') WHERE id = 3`)).getRowsJS();
      assert.deepEqual(tags, ['a', 't3']);
      assert.deepEqual(point, { x: 1.5, y: null });
    }
    await assert.rejects(appendRowsToTemp(engine, schema, [{ id: 1n, nope: 1 }]), (err) => isFloeError(err, 'SCHEMA_MISMATCH'));
    await assert.rejects(appendRowsToTemp(engine, schema, [{ id: 1n, day: 'not a date' }]), (err) => {
      assert.ok(isFloeError(err, 'INVALID_ARGUMENT'));
      assert.deepEqual(err.context, { row: 0, column: 'day' });
      return true;
    });
  });
});

test('written files register with createTableFromFiles and read back through scanTable', async () => {
  await withEngine(async (engine, dir) => {
    const location = join(dir, 'table');
    const source = `(SELECT i::INTEGER AS i, 'ключ-' || i AS s, DATE '1969-12-25' + (i % 1000)::INTEGER AS dt, (i * 3.14159)::DECIMAL(12,3) AS dec FROM range(400000) r(i))`;
    const schema = schemaOf([['i', 'int', true], ['s', 'string'], ['dt', 'date'], ['dec', 'decimal(12,3)']]);
    const { files } = await write(engine, { source, schema, location: join(location, 'data'), properties: { 'write.target-file-size-bytes': '1000000' } });
    assert.ok(files.length >= 1);
    await createTableFromFiles(io, { location, schema, files });
    const table = await openTable(io, location);
    const { rows } = await scanTable(engine, table, { orderBy: 'i', where: 'i % 1000 = 999' });
    assert.equal(rows.length, 400);
    assert.deepEqual(rows[0], { i: 999, s: 'ключ-999', dt: new Date(Date.UTC(1972, 8, 19)), dec: 3138.448 });
    // Pruning by the written bounds skips the files that cannot match (rows are written in order here).
    assert.ok(files.length >= 2, `${files.length} files`);
    const { plan, rows: high } = await scanTable(engine, table, {
      filter: { kind: 'compare', op: 'gt', column: 'i', value: 399990 },
      where: 'i > 399990',
    });
    assert.equal(high.length, 9);
    assert.equal(plan.tasks.length, 1);
  });
});

test('write properties: compression codec and metrics modes; bad values and object stores are refused', async () => {
  await withEngine(async (engine, dir) => {
    const { files } = await write(engine, {
      source: PRIMS,
      schema: PRIMS_SCHEMA,
      location: join(dir, 'data'),
      properties: {
        'write.parquet.compression-codec': 'snappy',
        'write.metadata.metrics.default': 'counts',
        'write.metadata.metrics.column.s': 'truncate(4)',
        'write.metadata.metrics.column.l': 'none',
      },
    });
    const codecs = await (await engine.run(`SELECT DISTINCT compression FROM parquet_metadata('${files[0].file_path}')`)).getRowsJS();
    assert.deepEqual(codecs, [['SNAPPY']]);
    const f = files[0];
    assert.deepEqual([...f.lower_bounds!.keys()], [5]);
    assert.equal(deserializeValue('string', f.lower_bounds!.get(5)!), 'ключ');
    assert.equal(f.value_counts!.has(2), false);
    assert.equal(f.value_counts!.get(1), 60n);
    await assert.rejects(
      write(engine, { source: PRIMS, schema: PRIMS_SCHEMA, location: join(dir, 'x'), properties: { 'write.parquet.compression-codec': 'lzo2' } }),
      (err) => isFloeError(err, 'CONFIG_INVALID'),
    );
    await assert.rejects(
      write(engine, { source: PRIMS, schema: PRIMS_SCHEMA, location: join(dir, 'x'), properties: { 'write.target-file-size-bytes': '-1' } }),
      (err) => isFloeError(err, 'CONFIG_INVALID'),
    );
    await assert.rejects(write(engine, { source: PRIMS, schema: PRIMS_SCHEMA, location: 's3://bucket/t/data' }), (err) => isFloeError(err, 'UNSUPPORTED'));
    await assert.rejects(
      write(engine, { source: `read_parquet('${join(dir, 'missing.parquet')}')`, schema: PRIMS_SCHEMA, location: join(dir, 'x') }),
      (err) => isFloeError(err, 'NOT_FOUND'),
    );
    assert.equal(parsePrimitive('int').kind, 'int');
  });
});
