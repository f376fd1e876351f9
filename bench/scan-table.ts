/**
 * The table the `scan` benchmark reads: `rows` rows of (long id, double value, string name, timestamp ts) in
 * Parquet files written by DuckDB with Iceberg field ids, registered in a format-v2 Iceberg table (one manifest,
 * one manifest list, `metadata/v1.metadata.json`, `version-hint.text`), described and registered by floe's own
 * `describeParquetFile` and `createTableFromFiles`.
 *
 * Generating 10M rows takes a while, so the table is cached under `bench/.data/` and reused while its marker
 * file says it was built completely with the same parameters and generator version.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../src/engine/duckdb-engine.js';
import { quoteString } from '../src/engine/sql-literals.js';
import type { Schema } from '../src/iceberg/spec/schema.js';
import type { DataFile } from '../src/iceberg/avro/manifest.js';
import { describeParquetFile } from '../src/engine/parquet-data-file.js';
import { LocalFileIO } from '../src/iceberg/io/local-file-io.js';
import { createTableFromFiles } from '../src/iceberg/table/create-table-from-files.js';

/** Bump when the generated data or metadata changes, so stale caches are rebuilt. */
const GENERATOR_VERSION = 2;

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

  const io = new LocalFileIO();
  const dataFiles: DataFile[] = [];
  const perFile = Math.ceil(rows / files);
  for (let n = 0; n < files; n++) {
    const start = n * perFile;
    const end = Math.min(rows, start + perFile);
    const path = join(location, 'data', `part-${String(n).padStart(5, '0')}.parquet`);
    const t0 = performance.now();
    await writeParquet(engine, path, start, end);
    dataFiles.push(await describeParquetFile(engine, io, path, SCAN_SCHEMA));
    opts.log?.(`  wrote ${path} (${end - start} rows, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  await createTableFromFiles(io, {
    location,
    schema: SCAN_SCHEMA,
    files: dataFiles,
    snapshotId: SNAPSHOT_ID,
    tableUuid: TABLE_UUID,
    properties: { 'write.format.default': 'parquet', 'write.parquet.compression-codec': 'zstd' },
  });

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
