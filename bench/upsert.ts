/**
 * `npm run bench -- upsert`: upserting `incoming` rows (1M: 90% existing keys, 10% new) into a `rows`-row (10M)
 * Iceberg table through `writeIceberg` (`write_mode: upsert`, `key_columns: ['id']`), in three ways, against
 * DuckDB's own `INSERT OR REPLACE` into a DuckDB table with a primary key holding the same rows, in the same run:
 *
 * - copy-on-write (`write.update.mode` default): touched files rewritten;
 * - merge-on-read: deletion vectors (v3 table; `--format-version 2` for position delete files) plus new data files;
 * - equality deletes (`delete_files: 'equality'`): the incoming keys as an equality delete file, no table read.
 *
 * Each variant has its own table over the same initial data files (written once by floe's data-file writer and
 * appended to each table), so all start equal. Rounds are interleaved; round `r` upserts existing keys
 * `(i * 7 + r * 1000003) mod rows` (distinct: 7 is coprime with 10M) and new keys `rows + r * new + j`, so every
 * table, DuckDB's included, sees the same sequence of upserts. Reported: each round's times and merge-on-read /
 * DuckDB ratio (with the load average: the machine may be shared), then median seconds, files rewritten, delete
 * files written, and the ratio of medians to DuckDB. `FLOE_TIMING=1` also prints each upsert's steps. Target: merge-on-read ratio at most 2 (pyiceberg: 1,066 s for 1M rows).
 * Correctness is checked after the last round: every table holds DuckDB's rows (count and a checksum).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/engine/duckdb-engine.js';
import { writeDataFilesTo } from '../src/engine/remote-files.js';
import { buildScanSql } from '../src/engine/scan-sql.js';
import { createCatalog } from '../src/iceberg/catalog/create-catalog.js';
import type { Catalog } from '../src/iceberg/catalog/catalog.js';
import { schemaFromDuckDB } from '../src/engine/duckdb-type-parser.js';
import { unsortedOrder } from '../src/iceberg/spec/sort-order.js';
import { currentSchema, defaultSpec } from '../src/iceberg/spec/table-metadata.js';
import { tableOf } from '../src/iceberg/table/commit.js';
import { planScan } from '../src/iceberg/table/scan-planner.js';
import { appendFiles } from '../src/iceberg/table/table-operations.js';
import { writeIceberg, type IcebergWriterConfig, type WriteResult } from '../src/warehouses/iceberg/iceberg-writer.js';
import { generatorQuery } from './append.js';
import { formatMs, intOption, markdownTable, median, parseArgs, timed } from './harness.js';

/** Pass mark: merge-on-read upsert median / DuckDB INSERT OR REPLACE median. */
export const TARGET_MOR_RATIO = 2;

interface Variant {
  label: string;
  table: string;
  properties: Record<string, string>;
  extra: Partial<IcebergWriterConfig>;
  times: number[];
  last?: WriteResult;
}

/** The incoming rows of round `r`. */
function incomingQuery(rows: number, incoming: number, r: number): string {
  const fresh = Math.floor(incoming / 10);
  const existing = incoming - fresh;
  return (
    `SELECT k AS id, ((k * 7919) % 100003) / 8.0 + ${r + 1} AS value, 'upd_' || k AS name, TIMESTAMP '2025-01-01' + to_seconds(k) AS ts FROM (` +
    `SELECT ((i * 7 + ${r} * 1000003) % ${rows})::BIGINT AS k FROM range(${existing}) AS t(i) ` +
    `UNION ALL SELECT (${rows} + ${r} * ${fresh} + j)::BIGINT FROM range(${fresh}) AS u(j))`
  );
}

/** Runs the benchmark; see the module comment. */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['rows', 'incoming', 'rounds', 'format-version', 'target-file-size'], ['strict', 'keep']);
  const rows = intOption(args, 'rows', 10_000_000);
  const incoming = intOption(args, 'incoming', 1_000_000);
  const rounds = intOption(args, 'rounds', 3);
  const formatVersion = intOption(args, 'format-version', 3) as 2 | 3;
  const targetSize = intOption(args, 'target-file-size', 64 * 1024 * 1024);
  const root = await mkdtemp(join(tmpdir(), 'floe-bench-upsert-'));
  const log = (s: string) => console.log(s);
  const engine = await Engine.create();
  const catalogConfig = { uri: `sqlite:${join(root, 'catalog.db')}`, warehouse: join(root, 'warehouse') };
  const catalog: Catalog = await createCatalog('bench', { type: 'sql', ...catalogConfig });
  try {
    log(
      `upsert benchmark: ${rows.toLocaleString()} rows, ${incoming.toLocaleString()} incoming per round (90% existing), ${rounds} rounds, ` +
        `v${formatVersion}, ${availableParallelism()} cores, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`,
    );
    const base = { 'write.target-file-size-bytes': String(targetSize) };
    const variants: Variant[] = [
      { label: 'floe copy-on-write', table: 'bench.cow', properties: { ...base }, extra: {}, times: [] },
      { label: 'floe merge-on-read', table: 'bench.mor', properties: { ...base, 'write.update.mode': 'merge-on-read' }, extra: {}, times: [] },
      { label: 'floe equality deletes', table: 'bench.eq', properties: { ...base, 'write.update.mode': 'merge-on-read' }, extra: { delete_files: 'equality' }, times: [] },
    ];
    // Initial data: written once, appended to each table.
    const setup = await timed(async () => {
      await catalog.createNamespace(['bench']);
      const described = await (await engine.run(`DESCRIBE ${generatorQuery(0, 1)}`)).getRowsJS();
      const schema = schemaFromDuckDB(described.map((r) => ({ name: String(r[0]), type: String(r[1]) })));
      let files;
      for (const v of variants) {
        const ct = await catalog.createTable({ namespace: ['bench'], name: v.table.split('.')[1] }, { schema, properties: v.properties, formatVersion });
        if (!files) {
          const md = ct.metadata;
          files = (await writeDataFilesTo(engine, ct.io, {
            source: `(${generatorQuery(0, rows)})`,
            schema: currentSchema(md),
            spec: defaultSpec(md),
            sortOrder: unsortedOrder(),
            location: join(root, 'initial'),
            properties: md.properties,
            fileIO: ct.io,
            formatVersion,
          })).files;
        }
        await appendFiles(catalog, ct.identifier, ct.io, files);
      }
      await engine.run(`CREATE TABLE duck (id BIGINT PRIMARY KEY, value DOUBLE, name VARCHAR, ts TIMESTAMP)`);
      await engine.run(`INSERT INTO duck ${generatorQuery(0, rows)}`);
      return files!.length;
    });
    log(`setup: ${setup.result} data files, ${formatMs(setup.ms)} ms`);
    const duckTimes: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const sql = incomingQuery(rows, incoming, r);
      const measures: Array<[string, () => Promise<unknown>, (ms: number) => void]> = [
        ['duckdb INSERT OR REPLACE', () => engine.run(`INSERT OR REPLACE INTO duck ${sql}`), (ms) => duckTimes.push(ms)],
        ...variants.map((v): [string, () => Promise<unknown>, (ms: number) => void] => [
          v.label,
          async () => {
            v.last = await writeIceberg(
              { catalog: 'sql', catalog_config: catalogConfig, table: v.table, write_mode: 'upsert', key_columns: ['id'], create: false, ...v.extra },
              { sql },
              {},
              { catalog, engine },
            );
          },
          (ms) => v.times.push(ms),
        ]),
      ];
      const line: string[] = [];
      for (let k = 0; k < measures.length; k++) {
        const [label, fn, record] = measures[(r + k) % measures.length];
        const { ms } = await timed(fn);
        record(ms);
        line.push(`${label} ${formatMs(ms)} ms`);
      }
      const ratio = variants[1].times[r] / duckTimes[r];
      log(`  round ${r + 1}/${rounds}: ${line.join(', ')}; merge-on-read / DuckDB ${ratio.toFixed(2)}; load ${loadavg()[0].toFixed(1)}`);
    }
    // Correctness: every table holds DuckDB's rows.
    const check = async (relation: string) =>
      (await (await engine.run(`SELECT count(*)::BIGINT, sum(hash(id, value, name, ts))::HUGEINT::VARCHAR FROM ${relation}`)).getRowsJS())[0].map(String).join(' ');
    const expected = await check('duck');
    let correct = true;
    for (const v of variants) {
      const table = tableOf(await catalog.loadTable({ namespace: ['bench'], name: v.table.split('.')[1] }));
      const plan = await planScan(table);
      const scan = await buildScanSql(engine, table, plan);
      const got = await check(scan.sql);
      await scan.cleanup();
      if (got !== expected) {
        correct = false;
        log(`MISMATCH ${v.label}: ${got} vs duckdb ${expected}`);
      }
    }
    const duck = median(duckTimes);
    const rowsOut = [
      ['duckdb INSERT OR REPLACE (primary key)', (duck / 1000).toFixed(2), '-', '-', '1.00'],
      ...variants.map((v) => [
        v.label,
        (median(v.times) / 1000).toFixed(2),
        String(v.last?.files_rewritten ?? 0),
        String(v.last?.delete_files_written ?? 0),
        (median(v.times) / duck).toFixed(2),
      ]),
    ];
    log('');
    log(markdownTable(['upsert of 1 round (median)', 'seconds', 'files rewritten', 'delete files written', 'ratio to DuckDB'], rowsOut, [false, true, true, true, true]));
    const mor = median(variants[1].times) / duck;
    const pass = mor <= TARGET_MOR_RATIO && correct;
    log('');
    log(`${pass ? 'PASS' : 'FAIL'}: merge-on-read ratio ${mor.toFixed(2)} (target <= ${TARGET_MOR_RATIO}); results ${correct ? 'equal DuckDB' : 'DIFFER from DuckDB'}`);
    return !correct || (args.flags.has('strict') && !pass) ? 1 : 0;
  } finally {
    engine.close();
    await catalog.close();
    if (!args.flags.has('keep')) await rm(root, { recursive: true, force: true });
  }
}
