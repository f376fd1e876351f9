/**
 * The table the `scan` benchmark reads: `rows` rows of (long id, double value, string name, timestamp ts) in
 * Parquet files written by DuckDB with Iceberg field ids, registered in a format-v2 Iceberg table (one manifest,
 * one manifest list, `metadata/v1.metadata.json`, `version-hint.text`). floe has no table writer yet, so the
 * metadata is assembled here from floe's own Avro and metadata writers.
 *
 * Generating 10M rows takes a while, so the table is cached under `bench/.data/` and reused while its marker
 * file says it was built completely with the same parameters and generator version.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../src/engine/duckdb-engine.js';
import { quoteString } from '../src/engine/sql-literals.js';
import { EntryStatus, FileContent, writeManifest, type DataFile, type ManifestEntry } from '../src/iceberg/avro/manifest.js';
import { writeManifestList, type ManifestFile } from '../src/iceberg/avro/manifest-list.js';
import { serializeValue } from '../src/iceberg/spec/bounds.js';
import type { Schema } from '../src/iceberg/spec/schema.js';
import { MAIN_BRANCH, type Snapshot } from '../src/iceberg/spec/snapshot.js';
import { unsortedOrder } from '../src/iceberg/spec/sort-order.js';
import { schemaToJson, serializeTableMetadata, type TableMetadata } from '../src/iceberg/spec/table-metadata.js';
import { stringifyJson } from '../src/util/json.js';

/** Bump when the generated data or metadata changes, so stale caches are rebuilt. */
const GENERATOR_VERSION = 1;

/** Where generated benchmark data lives (gitignored). */
export const BENCH_DATA_DIR = fileURLToPath(new URL('./.data/', import.meta.url));

/** The benchmark table's schema: field ids 1..4 match the Parquet FIELD_IDS written below. */
export const SCAN_SCHEMA: Schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: false, type: 'long' },
    { id: 2, name: 'value', required: false, type: 'double' },
    { id: 3, name: 'name', required: false, type: 'string' },
    { id: 4, name: 'ts', required: false, type: 'timestamp' },
  ],
};

// Fixed ids keep the generated metadata byte-stable across rebuilds.
const SNAPSHOT_ID = 4_180_011_862_745_611_211n;
const TABLE_UUID = '8d2c6b0e-5f0a-4d4b-9a53-6a7c1f2e9b10';

/** Options of {@link ensureScanTable}. */
export interface ScanTableOptions {
  rows: number;
  files: number;
  /** Log progress lines (generation takes seconds to minutes). */
  log?: (line: string) => void;
}

/** A ready benchmark table. */
export interface ScanTable {
  /** Table directory, as passed to `iceberg_scan`. */
  location: string;
  /** Data file paths in manifest order, as passed to `read_parquet`. */
  dataFiles: string[];
  rows: number;
  /** Total size of the data files in bytes. */
  dataBytes: number;
  /** True when this call generated the table, false when the cache was reused. */
  generated: boolean;
}

interface Marker {
  version: number;
  rows: number;
  files: number;
  dataFiles: string[];
  dataBytes: number;
}

/**
 * Returns the benchmark table with `rows` rows in `files` Parquet files, building it with `engine` unless a
 * complete copy is cached.
 */
export async function ensureScanTable(engine: Engine, opts: ScanTableOptions): Promise<ScanTable> {
  const { rows, files } = opts;
  if (!Number.isInteger(rows) || rows < files || !Number.isInteger(files) || files < 1) {
    throw new Error(`invalid table size: ${rows} rows in ${files} files`);
  }
  const location = join(BENCH_DATA_DIR, `scan-${rows}r-${files}f`);
  const markerPath = join(location, '.complete');
  const cached = await readMarker(markerPath);
  if (cached && cached.version === GENERATOR_VERSION && cached.rows === rows && cached.files === files) {
    if (cached.dataFiles.every((f) => existsSync(f)) && existsSync(join(location, 'metadata', 'v1.metadata.json'))) {
      return { location, dataFiles: cached.dataFiles, rows, dataBytes: cached.dataBytes, generated: false };
    }
  }

  // Anything here without a valid marker is a partial or outdated build: start over.
  await rm(location, { recursive: true, force: true });
  await mkdir(join(location, 'data'), { recursive: true });
  await mkdir(join(location, 'metadata'), { recursive: true });

  const dataFiles: DataFile[] = [];
  const perFile = Math.ceil(rows / files);
  for (let n = 0; n < files; n++) {
    const start = n * perFile;
    const end = Math.min(rows, start + perFile);
    const path = join(location, 'data', `part-${String(n).padStart(5, '0')}.parquet`);
    const t0 = performance.now();
    await writeParquet(engine, path, start, end);
    dataFiles.push(await describeFile(engine, path));
    opts.log?.(`  wrote ${path} (${end - start} rows, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  await writeTableMetadata(location, dataFiles);

  const dataBytes = dataFiles.reduce((s, f) => s + Number(f.file_size_in_bytes), 0);
  const marker: Marker = { version: GENERATOR_VERSION, rows, files, dataFiles: dataFiles.map((f) => f.file_path), dataBytes };
  // The marker is written last: its presence means every file above is complete.
  await writeFile(markerPath, JSON.stringify(marker, null, 2));
  return { location, dataFiles: marker.dataFiles, rows, dataBytes, generated: true };
}

async function readMarker(path: string): Promise<Marker | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Marker;
  } catch {
    return undefined;
  }
}

/**
 * Writes rows [start, end). Values are deterministic functions of the row number; `value` is a multiple of 1/8
 * below 2^14, so sums over 10M rows stay exact in a double and both readers' sums can be compared for equality
 * whatever order DuckDB's threads add them in.
 */
async function writeParquet(engine: Engine, path: string, start: number, end: number): Promise<void> {
  await engine.run(
    `COPY (SELECT i::BIGINT AS id, ((i * 7919) % 100003) / 8.0 AS value, ` +
      `'name_' || lpad(((i * 2654435761) % 1000003)::VARCHAR, 7, '0') AS name, ` +
      `TIMESTAMP '2024-01-01 00:00:00' + to_seconds(i) AS ts ` +
      `FROM range(${start}, ${end}) AS r(i)) ` +
      `TO ${quoteString(path)} (FORMAT parquet, FIELD_IDS {id: 1, value: 2, name: 3, ts: 4}, COMPRESSION zstd)`,
  );
}

/** The manifest's `data_file` for a Parquet file: counts, column sizes and bounds, as Iceberg writers record. */
async function describeFile(engine: Engine, path: string): Promise<DataFile> {
  const p = quoteString(path);
  const statsRes = await engine.run(
    `SELECT count(*), count(id), count(value), count(name), count(ts), min(id), max(id), min(value), max(value), ` +
      `min(name), max(name), epoch_us(min(ts)), epoch_us(max(ts)), count(*) FILTER (WHERE isnan(value)) ` +
      `FROM read_parquet(${p})`,
  );
  const s = (await statsRes.getRowsJS())[0] as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, number, number, string, string, bigint, bigint, bigint];
  const sizesRes = await engine.run(
    `SELECT path_in_schema, sum(total_compressed_size)::BIGINT FROM parquet_metadata(${p}) GROUP BY path_in_schema`,
  );
  const ids: Record<string, number> = { id: 1, value: 2, name: 3, ts: 4 };
  const columnSizes = new Map<number, bigint>();
  for (const [name, size] of (await sizesRes.getRowsJS()) as Array<[string, bigint]>) {
    if (ids[name] !== undefined) columnSizes.set(ids[name], BigInt(size));
  }
  const records = BigInt(s[0]);
  return {
    content: FileContent.DATA,
    file_path: path,
    file_format: 'PARQUET',
    partition: new Map(),
    record_count: records,
    file_size_in_bytes: BigInt((await stat(path)).size),
    column_sizes: columnSizes,
    value_counts: new Map([1, 2, 3, 4].map((id) => [id, records])),
    null_value_counts: new Map([1, 2, 3, 4].map((id, i) => [id, records - BigInt(s[1 + i])])),
    nan_value_counts: new Map([[2, BigInt(s[13])]]),
    lower_bounds: new Map([
      [1, serializeValue('long', BigInt(s[5]))],
      [2, serializeValue('double', Number(s[7]))],
      [3, serializeValue('string', s[9])],
      [4, serializeValue('timestamp', BigInt(s[11]))],
    ]),
    upper_bounds: new Map([
      [1, serializeValue('long', BigInt(s[6]))],
      [2, serializeValue('double', Number(s[8]))],
      [3, serializeValue('string', s[10])],
      [4, serializeValue('timestamp', BigInt(s[12]))],
    ]),
    split_offsets: null,
    sort_order_id: 0,
  };
}

/** Writes the manifest, manifest list, `v1.metadata.json` and `version-hint.text` of a one-snapshot table. */
async function writeTableMetadata(location: string, files: DataFile[]): Promise<void> {
  const now = BigInt(Date.now());
  const sequenceNumber = 1n;
  const meta = join(location, 'metadata');
  const totalRows = files.reduce((s, f) => s + f.record_count, 0n);
  const totalBytes = files.reduce((s, f) => s + f.file_size_in_bytes, 0n);

  // ADDED entries leave sequence numbers null: readers inherit them from the manifest list (spec: inheritance).
  const entries: ManifestEntry[] = files.map((f) => ({
    status: EntryStatus.ADDED,
    snapshot_id: SNAPSHOT_ID,
    sequence_number: null,
    file_sequence_number: null,
    data_file: f,
  }));
  const manifestBytes = writeManifest(entries, {
    formatVersion: 2,
    schemaJson: stringifyJson(schemaToJson(SCAN_SCHEMA)),
    specId: 0,
    specFieldsJson: '[]',
    partitionFields: [],
    content: 'data',
  });
  const manifestPath = join(meta, `${TABLE_UUID}-m0.avro`);
  await writeFile(manifestPath, manifestBytes);

  const manifest: ManifestFile = {
    manifest_path: manifestPath,
    manifest_length: BigInt(manifestBytes.length),
    partition_spec_id: 0,
    content: 0,
    sequence_number: sequenceNumber,
    min_sequence_number: sequenceNumber,
    added_snapshot_id: SNAPSHOT_ID,
    added_files_count: files.length,
    existing_files_count: 0,
    deleted_files_count: 0,
    added_rows_count: totalRows,
    existing_rows_count: 0n,
    deleted_rows_count: 0n,
    partitions: [],
  };
  const listPath = join(meta, `snap-${SNAPSHOT_ID}-1-${TABLE_UUID}.avro`);
  await writeFile(
    listPath,
    writeManifestList([manifest], { 'snapshot-id': SNAPSHOT_ID, 'parent-snapshot-id': null, 'sequence-number': sequenceNumber, 'format-version': 2 }),
  );

  const snapshot: Snapshot = {
    'snapshot-id': SNAPSHOT_ID,
    'sequence-number': sequenceNumber,
    'timestamp-ms': now,
    'manifest-list': listPath,
    summary: {
      operation: 'append',
      'added-data-files': String(files.length),
      'added-records': String(totalRows),
      'added-files-size': String(totalBytes),
      'total-data-files': String(files.length),
      'total-records': String(totalRows),
      'total-files-size': String(totalBytes),
      'total-delete-files': '0',
      'total-position-deletes': '0',
      'total-equality-deletes': '0',
    },
    'schema-id': 0,
  };
  const md: TableMetadata = {
    'format-version': 2,
    'table-uuid': TABLE_UUID,
    location,
    'last-sequence-number': sequenceNumber,
    'last-updated-ms': now,
    'last-column-id': 4,
    schemas: [SCAN_SCHEMA],
    'current-schema-id': 0,
    'partition-specs': [{ 'spec-id': 0, fields: [] }],
    'default-spec-id': 0,
    'last-partition-id': 999,
    properties: { 'write.format.default': 'parquet', 'write.parquet.compression-codec': 'zstd' },
    'current-snapshot-id': SNAPSHOT_ID,
    snapshots: [snapshot],
    'snapshot-log': [{ 'timestamp-ms': now, 'snapshot-id': SNAPSHOT_ID }],
    'metadata-log': [],
    'sort-orders': [unsortedOrder()],
    'default-sort-order-id': 0,
    refs: { [MAIN_BRANCH]: { 'snapshot-id': SNAPSHOT_ID, type: 'branch' } },
    statistics: [],
    'partition-statistics': [],
  };
  await writeFile(join(meta, 'v1.metadata.json'), serializeTableMetadata(md, 2));
  await writeFile(join(meta, 'version-hint.text'), '1');
}
