/**
 * Results the writers' own test suites state for fixture tables beyond the case file: deletion vectors,
 * equality deletes across partitions and with extra columns, initial defaults of every type, name-mapped files,
 * column renames. Each runs through a SQL session exactly as `floe sql` does.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { SqlSession } from '../../src/engine/sql-session.js';
import { icebergFixtures } from '../../test-fixtures/fixture-env.js';

const fx = icebergFixtures();

async function query(sql: string): Promise<string[][]> {
  const session = await SqlSession.open();
  try {
    const r = await session.execute(sql.replaceAll('{FX}', `${fx}/duckdb-iceberg`));
    return r.text.map((row) => row.map((v) => v ?? 'NULL'));
  } finally {
    session.close();
  }
}

const CASES: Array<{ name: string; sql: string; rows: string[][] }> = [
  {
    name: 'a deletion vector (v3, Puffin blob) removes its positions',
    sql: "SELECT id, source FROM iceberg_scan('{FX}/legacy_bare_deletion_vector/warehouse/default/legacy_bare_deletion_vector', allow_moved_paths=true) ORDER BY id",
    rows: [['1', 'legacy'], ['3', 'legacy']],
  },
  {
    name: 'iceberg_metadata lists the deletion vector as a position delete in a delete manifest',
    sql: "SELECT manifest_content, content, count(*) FROM iceberg_metadata('{FX}/legacy_bare_deletion_vector/warehouse/default/legacy_bare_deletion_vector', allow_moved_paths=true) GROUP BY ALL ORDER BY ALL",
    rows: [['DATA', 'DATA', '1'], ['DELETE', 'POSITION_DELETES', '1']],
  },
  {
    name: 'equality deletes from an unpartitioned spec apply across partitions',
    sql: "SELECT part, key, val FROM iceberg_scan('{FX}/equality_delete_cross_partition/warehouse/ns/t/metadata/vfinal.metadata.json', allow_moved_paths=true) ORDER BY part, key",
    rows: [['0', '999', 'p0-k999'], ['1', '100', 'p1-k100'], ['1', '888', 'p1-k888']],
  },
  {
    name: 'equality delete files with extra columns delete by their equality ids only',
    sql: "SELECT id, val FROM iceberg_scan('{FX}/equality_delete_extra_column/warehouse/ns/t/metadata/vfinal.metadata.json', allow_moved_paths=true) ORDER BY id",
    rows: [['1', 'a'], ['3', 'c']],
  },
  {
    name: 'initial-default values of every primitive type fill rows written before the columns existed',
    sql:
      "SET Calendar='gregorian'; SET TimeZone='Europe/Amsterdam'; " +
      "SELECT * EXCLUDE (col1, col_uuid) FROM iceberg_scan('{FX}/add_columns_with_defaults/default.db/add_columns_with_defaults/metadata/00003-3f1801a5-7dfb-4072-b14a-39cd12f9279b.metadata.json', allow_moved_paths=true) ORDER BY ALL",
    rows: [
      ['false', '453243', '328725092345834', '23.34342', '23.343424523423433', '3423434.23', '0011-03-05', '12:06:45', '0011-03-05 12:06:45', '2023-05-15 16:30:45+02', 'World', '\\x80\\x00\\x80\\x00\\x80', '\\x80\\x00\\x80'],
      ['true', '342342', '-9223372036854775808', '0.34234', '0.342343242342342', '12345.00', '2003-10-20', '00:00:00.012345', '1970-01-01 00:00:00.012345', '1970-01-01 01:00:00.012345+01', 'HELLO', '\\x01\\x02\\x03\\xFF\\x03', '\\x01\\x02'],
      ['true', '342342', '-9223372036854775808', '0.34234', '0.342343242342342', '12345.00', '2003-10-20', '00:00:00.012345', '1970-01-01 00:00:00.012345', '1970-01-01 01:00:00.012345+01', 'HELLO', '\\x01\\x02\\x03\\xFF\\x03', '\\x01\\x02'],
    ],
  },
  {
    name: 'initial-default values of struct children fill files written before the children existed',
    sql:
      "SET Calendar='gregorian'; SET TimeZone='Europe/Amsterdam'; " +
      "SELECT a FROM iceberg_scan('{FX}/add_columns_with_defaults_in_struct/default.db/add_columns_with_defaults_in_struct/metadata/00003-21a957f9-c2ee-431a-9d18-bf257b561198.metadata.json', allow_moved_paths=true) ORDER BY ALL",
    rows: [
      [
            "{'col1': test, 'col_boolean': false, 'col_integer': 453243, 'col_long': 328725092345834, 'col_float': 23.34342, 'col_double': 23.343424523423433, 'col_decimal': 3423434.23, 'col_date': 0011-03-05, 'col_time': '12:06:45', 'col_timestamp': '0011-03-05 12:06:45', 'col_timestamptz': NULL, 'col_string': World, 'col_uuid': NULL, 'col_fixed': NULL, 'col_binary': \\x80\\x00\\x80}"
      ],
      [
            "{'col1': test, 'col_boolean': true, 'col_integer': 342342, 'col_long': -9223372036854775808, 'col_float': 0.34234, 'col_double': 0.342343242342342, 'col_decimal': 12345.00, 'col_date': 2003-10-20, 'col_time': '00:00:00.012345', 'col_timestamp': '1970-01-01 00:00:00.012345', 'col_timestamptz': '1970-01-01 01:00:00.012345+01', 'col_string': HELLO, 'col_uuid': f79c3e09-677c-4bbd-a479-3f349cb785e7, 'col_fixed': \\x01\\x02\\x03\\xFF\\x03, 'col_binary': \\x01\\x02}"
      ]
],
  },
];

for (const c of CASES) {
  test(c.name, async (t) => {
    if (!fx) return t.skip('fixtures absent: ../shared/fixtures/iceberg not found');
    assert.deepEqual(await query(c.sql), c.rows);
  });
}

/**
 * DuckDB's column_mapping_delete.test: files without field ids, read through the name mapping of each metadata
 * version. A column the mapping does not name reads as null, whatever the manifest's metrics say.
 */
const NAME_MAPPING: Array<[string, string, string]> = [
  ["version=3, snapshot_from_id=6597550917742534971", 'b IS NULL', '0'],
  ["version=3, snapshot_from_id=6597550917742534971", 'b IS NOT NULL', '10000'],
  ["version='3.1', snapshot_from_id=6597550917742534971", 'b IS NULL', '10000'],
  ["version='3.2', snapshot_from_id=6597550917742534971", 'a IS NULL AND b IS NULL', '10000'],
  ["version=4, snapshot_from_id=6597550917742534971", 'b IS NOT NULL', '10000'],
  ["version='4.1', snapshot_from_id=6597550917742534971", 'b IS NULL', '10000'],
  ["version=7, snapshot_from_id=2651609110244230974", 'b IS NULL', '10000'],
];

for (const [params, where, count] of NAME_MAPPING) {
  test(`name mapping: ${params} WHERE ${where} counts ${count}`, async (t) => {
    if (!fx) return t.skip('fixtures absent: ../shared/fixtures/iceberg not found');
    const rows = await query(
      `SELECT count(*) FROM iceberg_scan('{FX}/name_mapping/warehouse_1/mydb/t1', allow_moved_paths=true, ${params}) WHERE ${where}`,
    );
    assert.deepEqual(rows, [[count]]);
  });
}
