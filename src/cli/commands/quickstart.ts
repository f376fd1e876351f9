/**
 * `floe quickstart`: writes a small Iceberg table with DuckDB and floe's own Iceberg writers under the embedded
 * default warehouse (`./.floe/warehouse`), then reads it back through `iceberg_scan` and shows what floe sees.
 * Running it again reuses the table.
 */
import { resolve } from 'node:path';
import { Engine } from '../../engine/duckdb-engine.js';
import { describeParquetFile } from '../../engine/parquet-data-file.js';
import { SqlSession } from '../../engine/sql-session.js';
import { quoteString } from '../../engine/sql-literals.js';
import { LocalFileIO } from '../../iceberg/io/local-file-io.js';
import { joinPath } from '../../iceberg/io/file-io.js';
import type { Schema } from '../../iceberg/spec/schema.js';
import { createTableFromFiles } from '../../iceberg/table/create-table-from-files.js';
import { parse } from '../args.js';
import type { CliIO } from '../main.js';
import { renderResult } from '../render.js';

const SCHEMA: Schema = {
  type: 'struct',
  'schema-id': 0,
  'identifier-field-ids': [1],
  fields: [
    { id: 1, name: 'event_id', required: true, type: 'long' },
    { id: 2, name: 'user_id', required: true, type: 'int' },
    { id: 3, name: 'kind', required: true, type: 'string' },
    { id: 4, name: 'amount', required: false, type: 'double' },
    { id: 5, name: 'occurred_at', required: true, type: 'timestamptz' },
  ],
};

/** Runs `floe quickstart`. */
export async function quickstartCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(argv, { warehouse: { type: 'string' }, rows: { type: 'string' } });
  const warehouse = resolve((values.warehouse as string | undefined) ?? '.floe/warehouse');
  const rows = Number(values.rows ?? 100_000);
  const location = joinPath(warehouse, 'demo', 'events');
  const fileIO = new LocalFileIO();
  const engine = await Engine.create();
  try {
    if (!(await fileIO.exists(joinPath(location, 'metadata', 'v1.metadata.json')))) {
      io.stdout(`Writing ${rows} rows to a new Iceberg table at ${location}\n`);
      const file = joinPath(location, 'data', '00000-quickstart.parquet');
      await fileIO.write(file, new Uint8Array()); // creates the directory
      await engine.run(
        `COPY (SELECT i AS event_id, (i % 1000)::INTEGER AS user_id, ` +
          `(['view', 'click', 'purchase'])[1 + (i % 3)::INTEGER] AS kind, ` +
          `CASE WHEN i % 3 = 2 THEN round((i % 997) * 1.25, 2) END AS amount, ` +
          `TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_seconds(i * 30) AS occurred_at FROM range(${rows}) r(i)) ` +
          `TO ${quoteString(file)} (FORMAT parquet, COMPRESSION zstd, ` +
          `FIELD_IDS {event_id: 1, user_id: 2, kind: 3, amount: 4, occurred_at: 5})`,
      );
      const dataFile = await describeParquetFile(engine, fileIO, file, SCHEMA);
      await createTableFromFiles(fileIO, { location, schema: SCHEMA, files: [dataFile] });
    } else {
      io.stdout(`Using the Iceberg table at ${location}\n`);
    }
    const session = await SqlSession.open({ engine, io: fileIO });
    const queries = [
      `SELECT kind, count(*) AS events, round(sum(amount), 2) AS revenue FROM iceberg_scan(${quoteString(location)}) GROUP BY kind ORDER BY kind`,
      `SELECT snapshot_id, timestamp_ms, operation FROM iceberg_snapshots(${quoteString(location)})`,
      `SELECT content, record_count, file_path FROM iceberg_metadata(${quoteString(location)})`,
    ];
    for (const q of queries) {
      io.stdout(`\n$ floe sql "${q.replaceAll(location, '.floe/warehouse/demo/events')}"\n`);
      io.stdout(renderResult(await session.execute(q), 'table'));
    }
    io.stdout(`\nNext: npx floe table inspect ${location}\n`);
    return 0;
  } finally {
    engine.close();
  }
}
