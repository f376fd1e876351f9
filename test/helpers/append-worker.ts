/**
 * One writer process of the concurrent-writers test (test/iceberg/table/concurrent-writers.test.ts): commits
 * `appends` appends of `rows` rows each to one existing table through the iceberg.writer contract, reusing one
 * DuckDB engine and one catalog for all of them.
 *
 * Usage: `node --import tsx test/helpers/append-worker.ts <catalog-uri> <warehouse> <table> <writer> <appends> <rows>`.
 * Each row is `(writer, seq, i)` with `seq` in `0..appends-1` and `i` in `0..rows-1`. On success it prints one JSON
 * line `{"writer":w,"snapshots":["<id>",...]}` to stdout and exits 0; on any failure it prints the error's code and
 * message to stderr and exits 1.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { normalizeFloeConfig } from '../../src/config/floe-config.js';
import { Engine } from '../../src/engine/duckdb-engine.js';
import { openCatalog } from '../../src/iceberg/catalog/open-catalog.js';
import { writeIceberg, type IcebergWriterConfig } from '../../src/warehouses/iceberg/iceberg-writer.js';

/** Parsed command line of the worker. */
export interface AppendWorkerArgs {
  uri: string;
  warehouse: string;
  table: string;
  writer: number;
  appends: number;
  rows: number;
}

/** Parses `argv` (without node and the script); throws on a malformed command line. */
export function parseAppendWorkerArgs(argv: string[]): AppendWorkerArgs {
  if (argv.length !== 6) throw new Error(`expected 6 arguments (uri warehouse table writer appends rows), got ${argv.length}`);
  const [uri, warehouse, table, ...nums] = argv;
  const [writer, appends, rows] = nums.map((n) => {
    const v = Number(n);
    if (!Number.isInteger(v) || v < 0) throw new Error(`not a non-negative integer: ${n}`);
    return v;
  });
  return { uri, warehouse, table, writer, appends, rows };
}

/** Runs the appends; resolves to the committed snapshot ids in commit order. */
export async function runAppendWorker(args: AppendWorkerArgs): Promise<string[]> {
  const catalogConfig = { uri: args.uri, warehouse: args.warehouse };
  const catalog = await openCatalog(normalizeFloeConfig({ catalog: 'sql', catalog_config: catalogConfig }));
  const engine = await Engine.create();
  const config: IcebergWriterConfig = { catalog: 'sql', catalog_config: catalogConfig, table: args.table, write_mode: 'append', create: false };
  const snapshots: string[] = [];
  try {
    for (let seq = 0; seq < args.appends; seq++) {
      const sql =
        `SELECT ${args.writer}::INTEGER AS writer, ${seq}::INTEGER AS seq, range::INTEGER AS i FROM range(${args.rows})`;
      const result = await writeIceberg(config, { sql }, {}, { catalog, engine });
      if (result.rows_written !== args.rows) throw new Error(`append ${seq} wrote ${result.rows_written} rows, not ${args.rows}`);
      snapshots.push(result.snapshot_id);
    }
    return snapshots;
  } finally {
    engine.close();
    await catalog.close();
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  try {
    const args = parseAppendWorkerArgs(process.argv.slice(2));
    const snapshots = await runAppendWorker(args);
    process.stdout.write(`${JSON.stringify({ writer: args.writer, snapshots })}\n`);
  } catch (err) {
    const e = err as { code?: string; message?: string; context?: unknown };
    process.stderr.write(`append-worker failed: ${e.code ?? 'ERROR'}: ${e.message ?? String(err)} ${JSON.stringify(e.context ?? {})}\n`);
    process.exitCode = 1;
  }
}
