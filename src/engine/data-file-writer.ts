/**
 * Writing rows of a DuckDB relation as an Iceberg table's Parquet data files, with the manifest `data_file` of
 * each (spec "Manifests"), entirely inside DuckDB: `COPY (...) TO ... (FORMAT parquet, FIELD_IDS, RETURN_STATS)`
 * writes the files and reports their metrics, so no row passes through JS.
 *
 * - Columns are projected by name onto the table schema and cast to its types (`write-projection.ts`); a source
 *   that does not fit is `SCHEMA_MISMATCH` before anything is written.
 * - Files roll at `write.target-file-size-bytes`. DuckDB's `FILE_SIZE_BYTES` does that for unsorted writes, but
 *   it does not keep a query's order (measured: 2 of 6 sorted 300k-row writes came out of order at a row group
 *   boundary), and it cannot be combined with `PARTITION_BY`. So sorted data (spec "Sorting": `ORDER BY` with the
 *   sort order's transforms, directions and null orders) is written as one ordered file, and any file over the
 *   target is then split along its row groups (`file_row_number` ranges, which DuckDB prunes to the row groups
 *   read), each piece a copy in order.
 * - Partitioned writes compute partition values in SQL (`partition-sql.ts`) and write with `PARTITION_BY` on hidden
 *   key columns into a staging directory; DuckDB does not keep a query's order within partitions either, so the
 *   partitions of a sorted table are rewritten sorted. Files are then moved to `<location>/<field>=<value>/...`,
 *   the directory names Java writes, which DuckDB's own hive naming (percent-encoding,
 *   `__HIVE_DEFAULT_PARTITION__`) does not produce.
 *
 * Types: `timestamptz_ns` is refused (`UNSUPPORTED`: DuckDB has no nanosecond TIMESTAMPTZ); `fixed[L]` is written
 * as a BYTE_ARRAY column (DuckDB writes FIXED_LEN_BYTE_ARRAY only for UUIDs and wide decimals), each value's length
 * checked; `unknown` columns are not written (spec: omitted from data files).
 *
 * Files are staged under `<location>/.floe-staging-<uuid>/` and moved into place only when everything succeeded;
 * on failure nothing is left behind. DuckDB writes local paths only here (no httpfs), so `location` must be local.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FloeError, isFloeError } from '../errors.js';
import type { DataFile } from '../iceberg/avro/manifest.js';
import type { FileIO } from '../iceberg/io/file-io.js';
import { joinPath } from '../iceberg/io/file-io.js';
import { toLocalPath } from '../iceberg/io/local-file-io.js';
import { isUnpartitioned, type PartitionSpec } from '../iceberg/spec/partition-spec.js';
import type { Schema } from '../iceberg/spec/schema.js';
import type { SortOrder } from '../iceberg/spec/sort-order.js';
import { schemaToJson } from '../iceberg/spec/table-metadata.js';
import type { IcebergType, PrimitiveValue } from '../iceberg/spec/types.js';
import { stringifyJson } from '../util/json.js';
import { registerBucketHashFunctions } from './bucket-hash-function.js';
import type { Engine } from './duckdb-engine.js';
import { needsHashFunctions, parseKeyText, partitionKeys, partitionPath, sortItems, type PartitionKey } from './partition-sql.js';
import { quoteIdent, quoteString, stringList } from './sql-literals.js';
import { dataFilesFromStats, parseCopyStats, requiredNullCounts, type CopyStats } from './write-stats.js';
import { describeSource, differenceFromCheckError, fieldIdsLiteral, planProjection, type SchemaDifference } from './write-projection.js';

/** JS rows into a temp table to write from (see `append-rows.ts`). */
export { appendRowsToTemp } from './append-rows.js';
/** One entry of a `SCHEMA_MISMATCH` error's `context.differences`. */
export type { SchemaDifference } from './write-projection.js';

/** What {@link writeDataFiles} writes, and where. */
export interface WriteDataFilesOptions {
  /** A DuckDB relation: `(SELECT ...)`, a table name, or `read_parquet(...)`/`read_csv(...)`/`read_json_auto(...)`. */
  source: string;
  schema: Schema;
  spec: PartitionSpec;
  sortOrder: SortOrder;
  /** Data directory, e.g. `<table>/data`: a local path or `file:` URI. Paths in the result keep its form. */
  location: string;
  /** Table properties: `write.parquet.compression-codec` (zstd), `write.parquet.compression-level`,
   * `write.target-file-size-bytes` (512 MiB), `write.metadata.metrics.default` / `.column.<name>`. */
  properties: Record<string, string>;
  /** Used to remove files already placed when a later step fails. */
  fileIO: FileIO;
  formatVersion: number;
}

/** The written files and their total row count. */
export interface WriteDataFilesResult {
  files: DataFile[];
  rowCount: bigint;
}

const SOURCE_ALIAS = '__floe_src';
const ROW_ALIAS = '__floe_row';
const DEFAULT_TARGET_FILE_SIZE = 536_870_912; // Java's TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT
const CODECS = new Set(['zstd', 'gzip', 'snappy', 'lz4', 'lz4_raw', 'brotli', 'uncompressed']);

function positiveInt(props: Record<string, string>, key: string, fallback: number | undefined): number | undefined {
  const text = props[key];
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new FloeError('CONFIG_INVALID', `table property ${key} must be a positive integer, got ${JSON.stringify(text)}`, {
      context: { property: key, value: text },
    });
  }
  return n;
}

/** The COPY options every write shares: Parquet, field ids, stats, compression, the schema in the footer. */
function commonCopyOptions(schema: Schema, props: Record<string, string>): string[] {
  let codec = (props['write.parquet.compression-codec'] ?? 'zstd').toLowerCase();
  if (codec === 'none') codec = 'uncompressed';
  if (!CODECS.has(codec)) {
    throw new FloeError('CONFIG_INVALID', `unsupported write.parquet.compression-codec: ${codec}`, {
      context: { property: 'write.parquet.compression-codec', value: codec },
    });
  }
  const written = schema.fields.filter((f) => f.type !== 'unknown');
  const opts = [
    'FORMAT parquet',
    `FIELD_IDS ${fieldIdsLiteral(written)}`,
    'RETURN_STATS',
    `COMPRESSION ${codec}`,
    // Java writers store the schema in the footer under `iceberg.schema`; readers may use it for name mapping.
    `KV_METADATA {'iceberg.schema': ${quoteString(stringifyJson(schemaToJson(schema)))}}`,
  ];
  const level = positiveInt(props, 'write.parquet.compression-level', undefined);
  if (level !== undefined && codec === 'zstd') opts.push(`COMPRESSION_LEVEL ${level}`);
  return opts;
}

/** The local directory of a data location; object stores are `UNSUPPORTED` (DuckDB here has no httpfs). */
function localDirectory(location: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location) && !location.startsWith('file:')) {
    throw new FloeError('UNSUPPORTED', `writing data files to ${location.split('://')[0]}:// is not supported yet`, {
      context: { location },
    });
  }
  return toLocalPath(location).replace(/\/+$/, '') || '/';
}

/** DuckDB has no nanosecond TIMESTAMPTZ: such columns would be written in µs, which the spec does not allow. */
function checkWritableTypes(schema: Schema): void {
  const visit = (t: IcebergType, path: string): void => {
    if (t === 'timestamptz_ns') {
      throw new FloeError('UNSUPPORTED', `column ${path}: writing timestamptz_ns is not supported (DuckDB has no such type)`, {
        context: { column: path },
      });
    }
    if (typeof t === 'string') return;
    if (t.type === 'struct') for (const f of t.fields) visit(f.type, `${path}.${f.name}`);
    else if (t.type === 'list') visit(t.element, `${path}.element`);
    else {
      visit(t.key, `${path}.key`);
      visit(t.value, `${path}.value`);
    }
  };
  for (const f of schema.fields) visit(f.type, f.name);
}

function mismatch(differences: SchemaDifference[]): FloeError {
  const list = differences.map((d) => `${d.column}: expected ${d.expected}, got ${d.actual}`).join('; ');
  return new FloeError('SCHEMA_MISMATCH', `source does not match the table schema: ${list}`, { context: { differences } });
}

/** A file written to staging and where it goes. */
interface Placed {
  stats: CopyStats;
  relDir: string;
  partition: Map<number, PrimitiveValue | null>;
}

// Unique names across writers and retries: a random UUID per file, from DuckDB or from here.
const FILENAME_PATTERN = `FILENAME_PATTERN 'data-{uuid}'`;
const newFileName = (): string => `data-${randomUUID()}.parquet`;

/** COPY into a directory (rolling or partitioned): the stats of every file written. */
async function copyToDirectory(engine: Engine, query: string, dir: string, options: string[]): Promise<CopyStats[]> {
  await mkdir(dir, { recursive: true });
  const res = await engine.run(`COPY (${query}) TO ${quoteString(dir)} (${[...options, FILENAME_PATTERN].join(', ')})`);
  return parseCopyStats((await res.getRowObjectsJS()) as Array<Record<string, unknown>>);
}

/** COPY into one new file of `dir`; DuckDB keeps the query's order when writing a single file. */
async function copyToFile(engine: Engine, query: string, dir: string, options: string[]): Promise<CopyStats> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, newFileName());
  const res = await engine.run(`COPY (${query}) TO ${quoteString(path)} (${options.join(', ')})`);
  return parseCopyStats((await res.getRowObjectsJS()) as Array<Record<string, unknown>>)[0];
}

/** What splitting and rewriting staged files needs. */
interface Rewrite {
  engine: Engine;
  staging: string;
  common: string[];
  targetSize: number;
  /** The written columns, quoted. */
  written: string[];
}

/**
 * Splits a file larger than the target size into files of about the target size, along its row groups and in its
 * row order (each piece reads only its row groups: DuckDB prunes `file_row_number` ranges). Smaller files are kept.
 */
async function splitToTarget(stats: CopyStats, w: Rewrite): Promise<CopyStats[]> {
  if (stats.fileSizeBytes <= BigInt(w.targetSize)) return [stats];
  const file = quoteString(stats.filename);
  const groups = (await (await w.engine.run(
    `SELECT row_group_id, any_value(row_group_num_rows), sum(total_compressed_size) FROM parquet_metadata(${file}) ` +
      'GROUP BY row_group_id ORDER BY row_group_id',
  )).getRowsJS()) as Array<[bigint, bigint, bigint]>;
  const pieces: Array<[bigint, bigint]> = [];
  let start = 0n;
  let rows = 0n;
  let bytes = 0n;
  for (const [, n, size] of groups) {
    rows += BigInt(n);
    bytes += BigInt(size);
    if (bytes >= BigInt(w.targetSize)) {
      pieces.push([start, start + rows]);
      start += rows;
      rows = 0n;
      bytes = 0n;
    }
  }
  if (rows > 0n) pieces.push([start, start + rows]);
  if (pieces.length <= 1) return [stats];
  const out: CopyStats[] = [];
  for (const [from, to] of pieces) {
    const query =
      `SELECT ${w.written.join(', ')} FROM read_parquet(${file}, file_row_number = true, hive_partitioning = false) ` +
      `WHERE file_row_number >= ${from} AND file_row_number < ${to}`;
    out.push(await copyToFile(w.engine, query, join(w.staging, 'split'), w.common));
  }
  await rm(stats.filename, { force: true });
  return out;
}

/**
 * Writes the rows of `opts.source` as data files of a table with `opts.schema`, partitioned by `opts.spec` and
 * sorted by `opts.sortOrder`, under `opts.location`. Returns each file's `DataFile` (partition tuple by partition
 * field id, metrics by field id; ready for a manifest) and the number of rows written. An empty source writes
 * nothing. Errors: `SCHEMA_MISMATCH` (with `context.differences`), `CONFIG_INVALID` for a bad property,
 * `UNSUPPORTED` for a non-local location or an unwritable type, DuckDB's own errors as `Engine.run` reports them.
 */
export async function writeDataFiles(engine: Engine, opts: WriteDataFilesOptions): Promise<WriteDataFilesResult> {
  const { schema, properties } = opts;
  const dataDir = localDirectory(opts.location);
  checkWritableTypes(schema);
  const common = commonCopyOptions(schema, properties);
  const targetSize = positiveInt(properties, 'write.target-file-size-bytes', DEFAULT_TARGET_FILE_SIZE) as number;

  const columns = await describeSource(engine, opts.source);
  const projection = planProjection(schema, columns, SOURCE_ALIAS, opts.formatVersion);
  if (projection.differences.length > 0) throw mismatch(projection.differences);
  const projected = `SELECT ${projection.selectList.join(', ')} FROM ${opts.source} AS ${SOURCE_ALIAS}`;

  const partitioned = !isUnpartitioned(opts.spec);
  const keys: PartitionKey[] = partitioned ? partitionKeys(opts.spec, schema, ROW_ALIAS) : [];
  const sort = sortItems(opts.sortOrder, schema, ROW_ALIAS);
  if (needsHashFunctions([...keys, ...sort.transforms.map((transform) => ({ transform }))])) {
    registerBucketHashFunctions(engine);
  }
  const orderBy = sort.items.length > 0 ? ` ORDER BY ${sort.items.join(', ')}` : '';
  const written = schema.fields.filter((f) => f.type !== 'unknown').map((f) => quoteIdent(f.name));

  const staging = join(dataDir, `.floe-staging-${randomUUID()}`);
  const rewrite: Rewrite = { engine, staging, common, targetSize, written };
  const moved: string[] = [];
  try {
    let placed: Placed[];
    // Void fields of an unpartitioned spec (v1 drops fields by voiding them) are null in every tuple.
    const voidTuple = () => new Map(opts.spec.fields.map((f) => [f['field-id'], null]));
    if (!partitioned) {
      const query = `SELECT * FROM (${projected}) AS ${ROW_ALIAS}${orderBy}`;
      let stats: CopyStats[];
      if (orderBy) {
        stats = await splitToTarget(await copyToFile(engine, query, join(staging, 'sorted'), common), rewrite);
      } else {
        // No PER_THREAD_OUTPUT: a file per DuckDB thread measured no faster on 10M rows (2 cores; DuckDB encodes
        // row groups in parallel either way) and makes more, smaller files.
        stats = await copyToDirectory(engine, query, join(staging, 'out'), [...common, `FILE_SIZE_BYTES ${targetSize}`]);
      }
      placed = stats.map((s) => ({ stats: s, relDir: '', partition: voidTuple() }));
    } else {
      const withKeys = keys.filter((k) => k.column !== undefined);
      const query =
        `SELECT ${ROW_ALIAS}.*, ${withKeys.map((k) => `${k.sql} AS ${quoteIdent(k.column as string)}`).join(', ')} ` +
        `FROM (${projected}) AS ${ROW_ALIAS}`;
      const partitionBy = `PARTITION_BY (${withKeys.map((k) => quoteIdent(k.column as string)).join(', ')})`;
      const staged = await copyToDirectory(engine, query, join(staging, 'out'), [...common, partitionBy]);
      placed = await placePartitions(staged, keys, orderBy, rewrite);
    }
    placed = placed.filter((p) => p.stats.count > 0n);

    const nulls = requiredNullCounts(schema, placed.map((p) => p.stats));
    if (nulls.size > 0) {
      throw mismatch([...nulls].map(([column, n]) => {
        const f = schema.fields.find((x) => x.name === column);
        return { column, expected: `required ${f?.type as string}`, actual: `${n} null value(s)` };
      }));
    }

    // In a `file:` URI, `%` starts an escape (LocalFileIO decodes it), so the `%XX` of partition directories is
    // escaped once more there; plain paths are used as they are.
    const logicalDir = (relDir: string) => (/^file:/i.test(opts.location) ? relDir.replace(/%/g, '%25') : relDir);
    const logicalPath = (p: Placed) => joinPath(opts.location, logicalDir(p.relDir), basename(p.stats.filename));
    const byFile = new Map(placed.map((p) => [p.stats.filename, p]));
    const files = await dataFilesFromStats(engine, placed.map((p) => p.stats), {
      schema,
      properties,
      sortOrderId: sort.items.length > 0 ? opts.sortOrder['order-id'] : 0,
      placement: (row) => {
        const p = byFile.get(row.filename) as Placed;
        return { path: logicalPath(p), partition: p.partition };
      },
    });
    for (const p of placed) {
      const target = join(dataDir, p.relDir, basename(p.stats.filename));
      await mkdir(dirname(target), { recursive: true });
      await rename(p.stats.filename, target);
      moved.push(logicalPath(p));
    }
    return { files, rowCount: files.reduce((n, f) => n + f.record_count, 0n) };
  } catch (err) {
    for (const path of moved) await opts.fileIO.delete(path).catch(() => undefined);
    const difference = isFloeError(err, 'SQL_ERROR') ? differenceFromCheckError(err.message) : undefined;
    if (difference) throw mismatch([difference]);
    throw err;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Groups the files DuckDB staged by partition, derives each partition's tuple and directory, sorts the partitions
 * of a sorted table, and splits files over the target size.
 */
async function placePartitions(staged: CopyStats[], keys: PartitionKey[], orderBy: string, w: Rewrite): Promise<Placed[]> {
  const groups = new Map<string, CopyStats[]>();
  for (const s of staged) {
    if (s.count === 0n) continue;
    const id = JSON.stringify(keys.map((k) => (k.column ? s.partitionKeys.get(k.column) ?? null : null)));
    groups.set(id, [...(groups.get(id) ?? []), s]);
  }
  const out: Placed[] = [];
  for (const files of groups.values()) {
    const partition = new Map<number, PrimitiveValue | null>();
    for (const k of keys) {
      const text = k.column ? files[0].partitionKeys.get(k.column) ?? null : null;
      partition.set(k.field['field-id'], parseKeyText(k.resultType, text));
    }
    const relDir = partitionPath(keys, partition);
    let finished: CopyStats[] = [];
    if (orderBy) {
      const read = `read_parquet(${stringList(files.map((f) => f.filename))}, hive_partitioning = false)`;
      const sorted = await copyToFile(w.engine, `SELECT ${w.written.join(', ')} FROM ${read} AS ${ROW_ALIAS}${orderBy}`, join(w.staging, 'sorted'), w.common);
      finished = await splitToTarget(sorted, w);
    } else {
      for (const f of files) finished.push(...(await splitToTarget(f, w)));
    }
    for (const stats of finished) out.push({ stats, relDir, partition });
  }
  return out;
}
