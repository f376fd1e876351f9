/**
 * One writer process of the concurrent-upserts test (test/warehouses/iceberg/row-level/concurrent-upserts.test.ts):
 * upserts keys `from..to-1` of an existing table `rounds` times through the iceberg.writer contract, each row
 * `(id, writer, round)`.
 *
 * Usage: `node --import tsx test/helpers/upsert-worker.ts <catalog-uri> <warehouse> <table> <writer> <rounds> <from> <to>`.
 * On success prints one JSON line `{"writer":w,"snapshots":["<id>",...]}` (one committed snapshot per round, in
 * order) and exits 0; on failure prints the error's code and message to stderr and exits 1.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { normalizeFloeConfig } from '../../src/config/floe-config.js';
import { Engine } from '../../src/engine/duckdb-engine.js';
import { openCatalog } from '../../src/iceberg/catalog/open-catalog.js';
import { writeIceberg, type IcebergWriterConfig } from '../../src/warehouses/iceberg/iceberg-writer.js';

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  try {
    const [uri, warehouse, table, ...nums] = process.argv.slice(2);
    const [writer, rounds, from, to] = nums.map(Number);
    const catalogConfig = { uri, warehouse };
    const catalog = await openCatalog(normalizeFloeConfig({ catalog: 'sql', catalog_config: catalogConfig }));
    const engine = await Engine.create();
    const config: IcebergWriterConfig = { catalog: 'sql', catalog_config: catalogConfig, table, write_mode: 'upsert', key_columns: ['id'], create: false };
    const snapshots: string[] = [];
    try {
      for (let round = 0; round < rounds; round++) {
        const sql = `SELECT range::BIGINT AS id, ${writer}::INTEGER AS writer, ${round}::INTEGER AS round FROM range(${from}, ${to})`;
        const r = await writeIceberg(config, { sql }, {}, { catalog, engine });
        snapshots.push(r.snapshot_id);
      }
    } finally {
      engine.close();
      await catalog.close();
    }
    process.stdout.write(`${JSON.stringify({ writer, snapshots })}\n`);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    process.stderr.write(`upsert-worker failed: ${e.code ?? 'ERROR'}: ${e.message ?? String(err)}\n`);
    process.exitCode = 1;
  }
}
