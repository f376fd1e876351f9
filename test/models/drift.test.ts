/**
 * Drift between the schema models were generated from and the database now: added, dropped and changed columns,
 * breaking or not.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { compareSchemas } from '../../src/models/drift.js';
import type { SourceColumn, SourceSchema, SourceTable } from '../../src/sources/source-schema.js';

const col = (name: string, type: string, normalized: SourceColumn['normalized'], extra: Partial<SourceColumn> = {}): SourceColumn => ({
  name,
  type,
  normalized,
  nullable: true,
  ordinal: 1,
  ...extra,
});

function schema(tables: SourceTable[], fingerprint: string): SourceSchema {
  return { dialect: 'postgresql', database: 'test', tables, enums: [], warnings: [], fingerprint };
}

function table(name: string, columns: SourceColumn[], checks: SourceTable['checks'] = []): SourceTable {
  return {
    name,
    kind: 'table',
    columns,
    primary_keys: ['id'],
    unique_constraints: [],
    foreign_keys: [],
    checks,
    indexes: [],
    row_count: 0,
    row_count_exact: true,
  };
}

test('no change, no drift', () => {
  const s = schema([table('t', [col('id', 'bigint', 'bigint', { nullable: false })])], 'a');
  const r = compareSchemas(s, s);
  assert.equal(r.drifted, false);
  assert.equal(r.breaking, false);
});

test('added nullable columns and widened types are not breaking; drops, narrowing and NOT NULL are', () => {
  const before = schema(
    [
      table('positions', [
        col('id', 'bigint', 'bigint', { nullable: false }),
        col('qty', 'numeric(10,2)', 'decimal', { precision: 10, scale: 2 }),
        col('ticker', 'varchar(10)', 'string', { length: 10 }),
        col('note', 'text', 'text'),
      ]),
      table('old', [col('id', 'bigint', 'bigint')]),
    ],
    'a',
  );
  const after = schema(
    [
      table(
        'positions',
        [
          col('id', 'bigint', 'bigint', { nullable: false }),
          col('qty', 'numeric(12,2)', 'decimal', { precision: 12, scale: 2 }),
          col('ticker', 'varchar(5)', 'string', { length: 5, nullable: false }),
          col('venue', 'text', 'text'),
        ],
        [{ name: 'qty_positive', sql: 'qty > 0' }],
      ),
      table('new', [col('id', 'bigint', 'bigint')]),
    ],
    'b',
  );
  const r = compareSchemas(before, after);
  assert.equal(r.drifted, true);
  assert.equal(r.breaking, true);
  const find = (kind: string, column?: string, detail?: RegExp) =>
    r.changes.find((c) => c.kind === kind && (column === undefined || c.column === column) && (!detail || detail.test(c.detail)));
  assert.equal(find('column-changed', 'qty', /numeric\(10,2\) -> numeric\(12,2\)/)?.breaking, false);
  assert.equal(find('column-changed', 'ticker', /varchar/)?.breaking, true);
  assert.equal(find('column-changed', 'ticker', /not null/)?.breaking, true);
  assert.equal(find('column-added', 'venue')?.breaking, false);
  assert.equal(find('column-dropped', 'note')?.breaking, true);
  assert.equal(find('table-added')?.table, 'new');
  assert.equal(find('table-dropped')?.table, 'old');
  assert.equal(find('constraint-changed')?.breaking, true);
});
