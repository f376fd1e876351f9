/** A hand-built trading SourceSchema shared by the model generator tests. */
import type { SourceColumn, SourceSchema, SourceTable } from '../../src/sources/source-schema.js';

function col(name: string, ordinal: number, normalized: SourceColumn['normalized'], type: string, extra: Partial<SourceColumn> = {}): SourceColumn {
  return { name, type, normalized, nullable: true, ordinal, ...extra };
}

function table(name: string, columns: SourceColumn[], extra: Partial<SourceTable>): SourceTable {
  return {
    name, kind: 'table', columns, primary_keys: [], unique_constraints: [], foreign_keys: [], checks: [], indexes: [],
    row_count: null, row_count_exact: false, ...extra,
  };
}

/** accounts(id PK, name) and positions(account_id, ticker) PK, with qty numeric(10,2) CHECK qty > 0, … */
export function tradingSchema(): SourceSchema {
  const accounts = table('accounts', [
    col('id', 1, 'integer', 'integer', { nullable: false }),
    col('name', 2, 'string', 'character varying(100)', { nullable: false, length: 100 }),
    col('opened', 3, 'date', 'date'),
  ], { schema: 'public', primary_keys: ['id'] });
  const positions = table('positions', [
    col('account_id', 1, 'integer', 'integer', { nullable: false }),
    col('ticker', 2, 'string', 'character varying(10)', { nullable: false, length: 10 }),
    col('qty', 3, 'decimal', 'numeric(10,2)', { nullable: false, precision: 10, scale: 2 }),
    col('side', 4, 'enum', 'side', { nullable: false, enum: 'side' }),
    col('Order Date', 5, 'timestamptz', 'timestamp with time zone'),
    col('price', 6, 'decimal', 'numeric(12,4)', { precision: 12, scale: 4 }),
    col('geom', 7, 'unknown', 'geometry'),
    col('id', 8, 'uuid', 'uuid', { nullable: false }),
  ], {
    schema: 'public',
    comment: 'Open positions',
    primary_keys: ['account_id', 'ticker'],
    foreign_keys: [{ name: 'positions_account_fk', columns: ['account_id'], referencedTable: 'accounts', referencedColumns: ['id'], onDelete: 'CASCADE' }],
    checks: [
      { name: 'positions_qty_check', sql: 'CHECK ((qty > (0)::numeric))', columns: ['qty'] },
      { name: 'price_range', sql: 'CHECK (((price >= (0)::numeric) AND (price <= (100000)::numeric)))', columns: ['price'] },
      { name: 'ticker_like', sql: "CHECK (((ticker)::text ~~ 'A%'::text))", columns: ['ticker'] },
      { name: 'ticker_like2', sql: "CHECK ((ticker LIKE '_%'))", columns: ['ticker'] },
      { name: 'odd_check', sql: 'CHECK ((length((ticker)::text) > 0))', columns: ['ticker'] },
    ],
    indexes: [{ name: 'positions_pkey', columns: ['account_id', 'ticker'], unique: true, primary: true }],
  });
  return {
    dialect: 'postgresql',
    database: 'trading',
    tables: [accounts, positions],
    enums: [{ name: 'side', values: ['buy', 'sell'], origin: 'enum-type' }],
    warnings: [{ code: 'UNKNOWN_TYPE', message: 'geometry kept as string', table: 'positions', column: 'geom' }],
    fingerprint: 'test',
  };
}

/** Model options the golden files are generated with. */
export const TRADING_OPTIONS = {
  constraints: { positions: ['qtyPositive', 'validTicker', { name: 'sideKnown', column: 'side', check: 'in', values: ['buy', 'sell'] }] },
};
