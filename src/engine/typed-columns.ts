/**
 * Moving numeric columns between DuckDB and typed arrays a vector at a time, not a value at a time: row positions
 * of deletes (hundreds of thousands to millions per operation) cross this boundary, and per-value calls into the
 * binding cost more than the work done with them.
 *
 * `@duckdb/node-api` keeps each vector's values in a typed array (`items`) that it copies to or from DuckDB's
 * memory; floe uses that array when it is there and falls back to per-value `getItem`/`setItem` otherwise, so a
 * change in the package's internals costs speed, never correctness.
 */
import { DuckDBBigIntType, DuckDBDataChunk, DuckDBDoubleType, DuckDBIntegerType, type DuckDBVector } from '@duckdb/node-api';
import { FloeError } from '../errors.js';
import type { Engine } from './duckdb-engine.js';

/** A numeric column: DOUBLE, BIGINT or INTEGER in DuckDB. */
export type NumericColumn = Float64Array | BigInt64Array | Int32Array;

/** The typed array behind a vector, when the package exposes one of the expected kind and length. */
function itemsOf<T extends NumericColumn>(vector: DuckDBVector, kind: new (n: number) => T, length: number): T | undefined {
  const items = (vector as unknown as { items?: unknown }).items;
  return items instanceof kind && items.length === length ? (items as T) : undefined;
}

/**
 * Reads the columns of `sql`, every one DOUBLE and never NULL (cast in the query: `pos::DOUBLE`), as
 * Float64Arrays. Values above 2^53 are not exact: row positions and file indexes stay far below.
 */
export async function readDoubleColumns(engine: Engine, sql: string): Promise<Float64Array[]> {
  const res = await engine.run(sql);
  const n = Number(res.rowCount);
  const out = res.columnTypes().map((t) => {
    if (!(t instanceof DuckDBDoubleType)) throw new FloeError('INTERNAL', `readDoubleColumns needs DOUBLE columns, got ${t.toString()}`);
    return new Float64Array(n);
  });
  let at = 0;
  for (let c = 0; c < res.chunkCount; c++) {
    const chunk = res.getChunk(c);
    const rows = chunk.rowCount;
    for (let k = 0; k < out.length; k++) {
      const vector = chunk.getColumnVector(k);
      const items = itemsOf(vector, Float64Array, rows);
      if (items) out[k].set(items, at);
      else for (let i = 0; i < rows; i++) out[k][at + i] = vector.getItem(i) as number;
    }
    at += rows;
  }
  return out;
}

function typeOf(column: NumericColumn) {
  if (column instanceof Float64Array) return DuckDBDoubleType.instance;
  if (column instanceof BigInt64Array) return DuckDBBigIntType.instance;
  return DuckDBIntegerType.instance;
}

/**
 * Appends equally long columns as rows to the table `name` (in `schema` of the `temp` catalog by default), whose
 * columns are DOUBLE, BIGINT or INTEGER in the order and kinds of `columns`.
 */
export async function appendColumns(engine: Engine, name: string, columns: NumericColumn[], catalog = 'temp', schema = 'main'): Promise<void> {
  const length = columns[0]?.length ?? 0;
  if (columns.some((c) => c.length !== length)) throw new FloeError('INTERNAL', 'appendColumns: columns of different lengths');
  const appender = await engine.connection.createAppender(name, schema, catalog);
  try {
    // One chunk reused for every batch: creating a chunk costs more than filling it.
    const chunk = DuckDBDataChunk.create(columns.map(typeOf));
    const size = 2048;
    for (let at = 0; at < length; at += size) {
      const rows = Math.min(size, length - at);
      chunk.reset();
      chunk.rowCount = rows;
      columns.forEach((column, k) => {
        const vector = chunk.getColumnVector(k);
        const part = column.subarray(at, at + rows);
        const items = itemsOf(vector, column.constructor as new (n: number) => NumericColumn, rows);
        if (items) {
          (items as Float64Array).set(part as Float64Array);
          vector.flush();
        } else {
          for (let i = 0; i < rows; i++) (vector as DuckDBVector<number | bigint>).setItem(i, part[i]);
          vector.flush();
        }
      });
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}
