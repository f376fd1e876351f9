/**
 * `floe quickstart`: on the embedded defaults (SQL catalog on SQLite at ./.floe/catalog.db, warehouse
 * ./.floe/warehouse, DuckDB), writes a demo table `demo.events` partitioned by day, appends to it, and reads it
 * back by name, through the table functions and as of its first snapshot. Running it again appends once more.
 */
import { Engine } from '../../engine/duckdb-engine.js';
import { SqlSession } from '../../engine/sql-session.js';
import { loadFloeConfig } from '../../config/floe-config.js';
import { openCatalog } from '../../iceberg/catalog/open-catalog.js';
import { writeIceberg, type IcebergWriterConfig } from '../../warehouses/iceberg/iceberg-writer.js';
import { parse } from '../args.js';
import type { CliIO } from '../main.js';
import { renderResult } from '../render.js';

/** Runs `floe quickstart`. */
export async function quickstartCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(argv, { rows: { type: 'string' }, config: { type: 'string' }, catalog: { type: 'string' } });
  const rows = Math.max(1, Number(values.rows ?? 100_000) || 100_000);
  const catalog = await openCatalog(await loadFloeConfig({ configPath: values.config as string | undefined }), values.catalog as string | undefined);
  const engine = await Engine.create();
  try {
    const config: IcebergWriterConfig = { table: 'demo.events', partition_spec: [{ field: 'occurred_at', transform: 'day' }] };
    const gen = (from: number, n: number) =>
      `SELECT i AS event_id, (i % 1000)::INTEGER AS user_id, (['view', 'click', 'purchase'])[1 + (i % 3)::INTEGER] AS kind, ` +
      `CASE WHEN i % 3 = 2 THEN round((i % 997) * 1.25, 2) END AS amount, ` +
      `TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_seconds(i * 30) AS occurred_at FROM range(${from}, ${from + n}) r(i)`;
    const first = await writeIceberg(config, { sql: gen(0, rows) }, {}, { catalog, engine });
    io.stdout(`$ floe write demo.events --from "<${rows} generated events>" --partition 'day(occurred_at)'\n`);
    io.stdout(`wrote ${first.rows_written} rows in ${first.files_written} files (snapshot ${first.snapshot_id})\n`);
    const second = await writeIceberg(config, { sql: gen(rows, 100) }, {}, { catalog, engine });
    io.stdout(`appended ${second.rows_written} rows (snapshot ${second.snapshot_id})\n`);
    const session = await SqlSession.open({ engine, catalog });
    const queries = [
      `SELECT kind, count(*) AS events, round(sum(amount), 2) AS revenue FROM demo.events GROUP BY kind ORDER BY kind`,
      `SELECT count(*) AS events_at_first_snapshot FROM iceberg_scan('demo.events', snapshot_from_id=${first.snapshot_id})`,
      `SELECT snapshot_id, timestamp_ms, operation FROM iceberg_snapshots('demo.events')`,
    ];
    for (const q of queries) {
      io.stdout(`\n$ floe sql "${q}"\n`);
      io.stdout(renderResult(await session.execute(q), 'table'));
    }
    io.stdout(`\nTable location: ${second.table_location}\nNext: npx floe table inspect demo.events   npx floe snapshots demo.events\n`);
    return 0;
  } finally {
    engine.close();
    await catalog.close();
  }
}
