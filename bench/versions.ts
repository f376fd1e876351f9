/**
 * `npm run bench -- versions`: what keeping every version costs in storage (REQUIREMENTS.md §4, issue 4).
 *
 * A `rows`-row (1M) orders table is written once, then `commits` (100) merge-on-read upserts each update
 * `percent` (1%) of its rows (existing keys, new values), every one a new snapshot kept in full. Afterwards the
 * table's storage is measured by `storageReport` (each referenced file once) and versioning overhead is reported:
 *
 *     overhead = (metadata JSON + manifest lists + manifests + delete files) / data files   (bytes)
 *
 * Target: under 5% (the design's floor is 10%), with the metadata log bounded by
 * `write.metadata.previous-versions-max` (`--previous-versions-max`, default 10) and dropped metadata files deleted
 * (`write.metadata.delete-after-commit.enabled`), as Iceberg does. The bytes all metadata JSON files would take if
 * none were ever deleted are reported alongside, from each commit's file size.
 *
 * The table's storage settings are part of the result and printed with it. Defaults (each an Iceberg table
 * property, see docs/versions.md "Keeping versions lean"): `write.delete.granularity=partition` (`--granularity`),
 * `write.delete.parquet.page-version=v2` (`--page-version`), `write.metadata.compression-codec=gzip`
 * (`--metadata-codec`), `commit.manifest.min-count-to-merge=20` (`--min-count-to-merge`). `--format-version 3`
 * measures deletion vectors instead of position delete files; `--delete-files equality` equality deletes.
 *
 * The baseline of the ratio is the table's own data bytes in the same run. Each commit updates a pseudo-random 1%
 * of the keys (`hash(id, commit) % 100 = 0`), spread over every data file: the usual case for delete files, and
 * the worst for their size (no runs of adjacent positions or keys to compress). After the commits, the run also times a diff of two consecutive versions and of the first
 * and last, and a restore of the first version (checked row for row by a diff that must find no change).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/engine/duckdb-engine.js';
import { diffVersions } from '../src/engine/table-diff.js';
import { createCatalog } from '../src/iceberg/catalog/create-catalog.js';
import { restoreVersion } from '../src/iceberg/table/restore.js';
import { storageReport, type StorageReport } from '../src/iceberg/table/storage-report.js';
import { createVersion } from '../src/iceberg/table/versions.js';
import { writeIceberg, type IcebergWriterConfig } from '../src/warehouses/iceberg/iceberg-writer.js';
import { formatMs, intOption, markdownTable, median, parseArgs, timed, UsageError } from './harness.js';

/** Pass mark: versioning overhead after the commits. */
export const TARGET_OVERHEAD = 0.05;

const id = { namespace: ['bench'], name: 'orders' };

/**
 * The orders: an 8-column table with values as varied as real ones (pseudo-random customers, amounts, times and
 * SKUs from `hash`, not sequences, which Parquet would compress to nearly nothing): about 24 bytes a row in
 * zstd Parquet. Deterministic in the row number; `round` changes status, amount and updated_at.
 */
function ordersQuery(rows: number, round: number): string {
  return (
    `SELECT range AS id, hash(range, 1) % 1000000 AS customer_id, ` +
    `(['new', 'paid', 'shipped', 'delivered', 'returned'])[1 + (hash(range, ${round}, 2) % 5)::INTEGER] AS status, ` +
    `CAST((hash(range, ${round}, 3) % 1000000) / 100.0 AS DECIMAL(12, 2)) AS amount, ` +
    `(['EUR', 'USD', 'GBP'])[1 + (hash(range, 4) % 3)::INTEGER] AS currency, ` +
    `TIMESTAMP '2025-01-01' + to_seconds((hash(range, 5) % 31536000)::BIGINT) AS created_at, ` +
    `TIMESTAMP '2026-01-01' + to_seconds((hash(range, ${round}, 6) % 31536000)::BIGINT) AS updated_at, ` +
    `'SKU-' || (hash(range, 7) % 100000) AS sku ` +
    `FROM range(${rows})`
  );
}

const mib = (b: number) => (b / 1024 / 1024).toFixed(2);
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

function reportRows(r: StorageReport): string[][] {
  const row = (kind: string, files: number, bytes: number) => [kind, String(files), mib(bytes), pct(bytes / r.data_files.bytes)];
  return [
    row('metadata JSON (kept)', r.metadata_json.files, r.metadata_json.bytes),
    row('manifest lists', r.manifest_lists.files, r.manifest_lists.bytes),
    row('manifests', r.manifests.files, r.manifests.bytes),
    row('delete files', r.delete_files.files, r.delete_files.bytes),
    row('data files', r.data_files.files, r.data_files.bytes),
    ['overhead', '', mib(r.metadata_bytes + r.delete_files.bytes), pct(r.overhead)],
  ];
}

/** Runs the benchmark (options in the module comment). */
export async function run(args: string[]): Promise<number> {
  const a = parseArgs(
    args,
    ['rows', 'commits', 'percent', 'previous-versions-max', 'format-version', 'delete-files', 'granularity', 'metadata-codec', 'min-count-to-merge', 'page-version'],
    ['keep', 'strict'],
  );
  const rows = intOption(a, 'rows', 1_000_000);
  const commits = intOption(a, 'commits', 100);
  const percent = intOption(a, 'percent', 1);
  const previousMax = intOption(a, 'previous-versions-max', 10);
  const formatVersion = intOption(a, 'format-version', 2);
  if (formatVersion !== 2 && formatVersion !== 3) throw new UsageError('--format-version is 2 or 3');
  if (100 % percent !== 0) throw new UsageError('--percent must divide 100');
  const deleteFiles = a.values.get('delete-files') ?? 'position';
  if (deleteFiles !== 'position' && deleteFiles !== 'equality') throw new UsageError('--delete-files is position or equality');
  const granularity = a.values.get('granularity') ?? 'partition';
  if (granularity !== 'file' && granularity !== 'partition') throw new UsageError('--granularity is file or partition');
  const codec = a.values.get('metadata-codec') ?? 'gzip';
  if (codec !== 'none' && codec !== 'gzip') throw new UsageError('--metadata-codec is none or gzip');
  const pageVersion = a.values.get('page-version') ?? 'v2';
  if (pageVersion !== 'v1' && pageVersion !== 'v2') throw new UsageError('--page-version is v1 or v2');
  const minCount = intOption(a, 'min-count-to-merge', 20);
  const properties: Record<string, string> = {
    'write.update.mode': 'merge-on-read',
    'write.merge.mode': 'merge-on-read',
    'write.delete.mode': 'merge-on-read',
    'write.delete.granularity': granularity,
    'write.delete.parquet.page-version': pageVersion,
    'write.metadata.compression-codec': codec,
    'write.metadata.previous-versions-max': String(previousMax),
    'write.metadata.delete-after-commit.enabled': 'true',
    'commit.manifest.min-count-to-merge': String(minCount),
  };

  const dir = await mkdtemp(join(tmpdir(), 'floe-bench-versions-'));
  const catalog = await createCatalog('bench', { type: 'sql', uri: `sqlite:${join(dir, 'catalog.db')}`, warehouse: join(dir, 'warehouse') });
  const engine = await Engine.create();
  console.log(
    `versions: ${rows.toLocaleString('en')} rows, ${commits} merge-on-read upserts of ${percent}% each ` +
      `(${formatVersion === 3 && deleteFiles === 'position' ? 'deletion vectors' : `${deleteFiles} deletes`}, v${formatVersion}); ` +
      `machine: ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? 'unknown cpu'}), Node ${process.version}`,
  );
  console.log(`table properties: ${Object.entries(properties).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  try {
    const base: IcebergWriterConfig = {
      table: 'bench.orders',
      format_version: formatVersion,
      properties,
    };
    const first = await timed(() => writeIceberg(base, { sql: ordersQuery(rows, 0) }, {}, { catalog, engine }));
    console.log(`initial write: ${formatMs(first.ms)} ms`);
    await createVersion(catalog, id, { name: 'initial' });
    let jsonWritten = (await stat((await catalog.loadTable(id)).metadataLocation)).size;

    const upsert: IcebergWriterConfig = { ...base, write_mode: 'upsert', key_columns: ['id'], delete_files: deleteFiles };
    const times: number[] = [];
    const classes = 100 / percent;
    for (let i = 1; i <= commits; i++) {
      // A pseudo-random `percent` of the keys, drawn afresh each commit (so some rows change more than once).
      const batch = `SELECT * FROM (${ordersQuery(rows, i)}) WHERE hash(id, ${i}, 99) % ${classes} = 0`;
      const expected = Number((await (await engine.run(`SELECT count(*) FROM (${batch})`)).getRowsJS())[0][0]);
      const t = await timed(() => writeIceberg(upsert, { sql: batch }, {}, { catalog, engine }));
      times.push(t.ms);
      const res = t.result;
      // Equality deletes are written without reading the table, so only rows written are known then.
      const done = deleteFiles === 'position' ? res.rows_updated : res.rows_written;
      if (done !== expected) throw new Error(`commit ${i}: ${done} rows ${deleteFiles === 'position' ? 'updated' : 'written'}, expected ${expected}`);
      jsonWritten += (await stat((await catalog.loadTable(id)).metadataLocation)).size;
      if (i % 10 === 0) console.log(`  commit ${i}: ${formatMs(t.ms)} ms (median so far ${formatMs(median(times))} ms)`);
    }
    const last = await createVersion(catalog, id, { name: 'latest' });
    jsonWritten += (await stat((await catalog.loadTable(id)).metadataLocation)).size;

    const report = await storageReport(catalog, id);
    console.log('');
    console.log(markdownTable(['kind', 'files', 'MiB', 'of data'], reportRows(report), [false, true, true, true]));
    const unbounded = (report.metadata_bytes - report.metadata_json.bytes + jsonWritten + report.delete_files.bytes) / report.data_files.bytes;
    console.log('');
    console.log(
      `metadata JSON written by the commits: ${mib(jsonWritten)} MiB in ${commits + 2} files; kept: ${mib(report.metadata_json.bytes)} MiB in ` +
        `${report.metadata_json.files} (overhead if none were deleted: ${pct(unbounded)})`,
    );
    console.log(`upsert commit: median ${formatMs(median(times))} ms, total ${(times.reduce((s, x) => s + x, 0) / 1000).toFixed(1)} s`);

    // Diffs and a restore on the versions just made.
    const md = (await catalog.loadTable(id)).metadata;
    const parent = md.snapshots.find((s) => s['snapshot-id'] === last.snapshot_id)!['parent-snapshot-id']!;
    const step = await timed(() => diffVersions(catalog, id, parent, 'latest', { key: ['id'], engine }));
    const whole = await timed(() => diffVersions(catalog, id, 'initial', 'latest', { key: ['id'], engine }));
    const restore = await timed(() => restoreVersion(catalog, id, 'initial'));
    const check = await timed(() => diffVersions(catalog, id, 'initial', restore.result.snapshot_id, { key: ['id'], engine }));
    console.log(
      `diff of the last commit (key id): ${formatMs(step.ms)} ms, modified ${step.result.rows_modified}, ` +
        `files shared/read ${step.result.files.shared}/${step.result.files.read_to}`,
    );
    console.log(`diff initial -> latest (key id): ${formatMs(whole.ms)} ms, modified ${whole.result.rows_modified}`);
    console.log(`restore of the initial version: ${formatMs(restore.ms)} ms (${restore.result.files_added} files added back, ${restore.result.files_removed} removed)`);
    const ok = check.result.rows_added + check.result.rows_removed + check.result.rows_modified === 0;
    console.log(`restored table vs initial version: ${ok ? 'identical' : 'DIFFERENT'} (${formatMs(check.ms)} ms)`);
    if (!ok) return 1;

    const pass = report.overhead < TARGET_OVERHEAD;
    console.log(`\nversioning overhead ${pct(report.overhead)}: ${pass ? 'PASS' : 'MISS'} (target < ${pct(TARGET_OVERHEAD)})`);
    return pass || !a.flags.has('strict') ? 0 : 1;
  } finally {
    engine.close();
    await catalog.close();
    if (a.flags.has('keep')) console.log(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}
