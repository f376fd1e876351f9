/**
 * The manifest `data_file` of a Parquet file written with Iceberg field ids: record count, size, per-column sizes,
 * value and null counts, and lower/upper bounds of top-level primitive columns serialized as the spec says
 * (Appendix D; strings truncated to 16 characters, the upper bound incremented, as Iceberg's default metrics mode).
 */
import { FloeError } from '../errors.js';
import { FileContent, type DataFile } from '../iceberg/avro/manifest.js';
import type { FileIO } from '../iceberg/io/file-io.js';
import { serializeValue, truncateLowerBound, truncateUpperBound } from '../iceberg/spec/bounds.js';
import type { Schema } from '../iceberg/spec/schema.js';
import { parsePrimitive, type Primitive, type PrimitiveValue } from '../iceberg/spec/types.js';
import type { Engine } from './duckdb-engine.js';
import { quoteIdent, quoteString } from './sql-literals.js';

const BOUND_TRUNCATE_LENGTH = 16;

/** Per-column metrics of a data file, keyed by field id, under their manifest `data_file` names. */
export type ColumnMetrics = Required<
  Pick<DataFile, 'column_sizes' | 'value_counts' | 'null_value_counts' | 'nan_value_counts' | 'lower_bounds' | 'upper_bounds'>
>;

/** Empty {@link ColumnMetrics}, to be filled column by column. */
export function emptyColumnMetrics(): ColumnMetrics {
  return {
    column_sizes: new Map(),
    value_counts: new Map(),
    null_value_counts: new Map(),
    nan_value_counts: new Map(),
    lower_bounds: new Map(),
    upper_bounds: new Map(),
  };
}

/** What a Parquet data file's manifest `data_file` says besides its {@link ColumnMetrics}. */
export interface ParquetFileFacts {
  /** The path readers will use. */
  path: string;
  /** Partition tuple keyed by partition field id (empty when unpartitioned). */
  partition: Map<number, PrimitiveValue | null>;
  recordCount: bigint;
  fileSizeBytes: bigint;
  sortOrderId: number;
}

/** The manifest `data_file` (content DATA, format PARQUET, no split offsets) of a file and its column metrics. */
export function parquetDataFile(file: ParquetFileFacts, metrics: ColumnMetrics): DataFile {
  return {
    content: FileContent.DATA,
    file_path: file.path,
    file_format: 'PARQUET',
    partition: file.partition,
    record_count: file.recordCount,
    file_size_in_bytes: file.fileSizeBytes,
    ...metrics,
    split_offsets: null,
    sort_order_id: file.sortOrderId,
  };
}

/** SQL turning a column's min/max into the in-memory value convention of `PrimitiveValue`. */
function boundExpr(p: Primitive, agg: string): string | undefined {
  switch (p.kind) {
    case 'int':
    case 'long':
    case 'float':
    case 'double':
    case 'string':
    case 'boolean':
      return agg;
    case 'date':
      return `(${agg} - DATE '1970-01-01')::INTEGER`;
    case 'timestamp':
    case 'timestamptz':
      return `epoch_us(${agg})`;
    default:
      return undefined; // no bounds: allowed by the spec, and never wrong
  }
}

/** Describes a Parquet data file for a manifest entry. `path` is how readers will see it. */
export async function describeParquetFile(engine: Engine, io: FileIO, path: string, schema: Schema): Promise<DataFile> {
  const p = quoteString(path);
  const cols = schema.fields.flatMap((f) => (typeof f.type === 'string' ? [{ f, prim: parsePrimitive(f.type) }] : []));
  const selects = ['count(*)'];
  for (const { f, prim } of cols) {
    const c = quoteIdent(f.name);
    selects.push(`count(${c})`);
    selects.push(boundExpr(prim, `min(${c})`) ?? 'NULL', boundExpr(prim, `max(${c})`) ?? 'NULL');
    selects.push(prim.kind === 'float' || prim.kind === 'double' ? `count(*) FILTER (WHERE isnan(${c}))` : 'NULL');
  }
  let row: unknown[];
  try {
    row = (await (await engine.run(`SELECT ${selects.join(', ')} FROM read_parquet(${p})`)).getRowsJS())[0];
  } catch (cause) {
    throw new FloeError('PARQUET_INVALID', `cannot read Parquet file ${path}`, { cause, context: { path } });
  }
  const records = BigInt(row[0] as bigint);
  const m = emptyColumnMetrics();
  cols.forEach(({ f, prim }, i) => {
    const base = 1 + i * 4;
    m.value_counts.set(f.id, records);
    m.null_value_counts.set(f.id, records - BigInt(row[base] as bigint));
    if (row[base + 3] !== null) m.nan_value_counts.set(f.id, BigInt(row[base + 3] as bigint));
    let lo = row[base + 1] as PrimitiveValue | null;
    let hi = row[base + 2] as PrimitiveValue | null;
    if (lo === null || hi === null) return;
    if (prim.kind === 'long' || prim.kind === 'timestamp' || prim.kind === 'timestamptz') {
      lo = BigInt(lo as bigint);
      hi = BigInt(hi as bigint);
    }
    if (prim.kind === 'string') {
      lo = truncateLowerBound(lo as string, BOUND_TRUNCATE_LENGTH);
      hi = truncateUpperBound(hi as string, BOUND_TRUNCATE_LENGTH);
    }
    if ((prim.kind === 'float' || prim.kind === 'double') && (Number.isNaN(lo) || Number.isNaN(hi))) return;
    m.lower_bounds.set(f.id, serializeValue(prim, lo));
    if (hi !== null) m.upper_bounds.set(f.id, serializeValue(prim, hi));
  });
  const byName = new Map(schema.fields.map((f) => [f.name, f.id]));
  const sizeRows = await (
    await engine.run(`SELECT path_in_schema, sum(total_compressed_size)::BIGINT FROM parquet_metadata(${p}) GROUP BY ALL`)
  ).getRowsJS();
  for (const [name, size] of sizeRows as Array<[string, bigint]>) {
    const id = byName.get(name);
    if (id !== undefined) m.column_sizes.set(id, BigInt(size));
  }
  const fileSizeBytes = BigInt(await io.size(path));
  return parquetDataFile({ path, partition: new Map(), recordCount: records, fileSizeBytes, sortOrderId: 0 }, m);
}
