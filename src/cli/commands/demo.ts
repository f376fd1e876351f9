/**
 * `floe demo` (and `npm run demo`): the README's first command on a fresh machine, with no server and no
 * configuration. On the embedded defaults (SQL catalog on SQLite at ./.floe/catalog.db, warehouse ./.floe/warehouse,
 * DuckDB) it:
 *   1. creates the sample trading database (SQLite: instruments, trades, positions, a few planted bad rows);
 *   2. generates its models (Legend PURE, JSON Schema, Iceberg schemas) with the floe generate library;
 *   3. validates a sample of `trades` with the rules its constraints give;
 *   4. backfills `trades` into the Iceberg table `demo.trades` window by window, with the progress bar; rows breaking
 *      a rule go to `demo.trades__quarantine`;
 *   5. queries the result, travels back one version, and prints a summary with the manifest's location.
 * Running it again finds every window already committed (the same run) and loads nothing twice.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadFloeConfig, resolveCatalog } from '../../config/floe-config.js';
import { backfill, sourceRules } from '../../backfill/backfill.js';
import { progressReporter } from '../../backfill/progress.js';
import { createTradingDatabase } from '../../demo/trading-database.js';
import { SqlSession } from '../../engine/sql-session.js';
import { openCatalog } from '../../iceberg/catalog/open-catalog.js';
import { openSource } from '../../sources/open-source.js';
import { generateModelFiles, writeModelFiles } from '../../reverse-etl/model-files.js';
import { parse } from '../args.js';
import type { CliIO } from '../main.js';
import { renderResult } from '../render.js';

/** Runs `floe demo`. */
export async function demoCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(argv, {
    rows: { type: 'string' },
    dir: { type: 'string' },
    config: { type: 'string' },
    catalog: { type: 'string' },
    parallel: { type: 'string' },
  });
  const rows = Math.max(10, Number(values.rows ?? 100_000) || 100_000);
  const config = await loadFloeConfig({ configPath: values.config as string | undefined });
  const catalogName = values.catalog as string | undefined;
  const warehouse = resolve(resolveCatalog(config, catalogName).warehouse ?? './.floe/warehouse');
  const dir = resolve((values.dir as string | undefined) ?? './.floe/demo');
  await mkdir(dir, { recursive: true });
  const started = Date.now();
  const say = (s: string) => io.stdout(`${s}\n`);

  // 1. The sample database: the same file for the same seed, so a second demo resumes the same run.
  const dbPath = join(dir, 'trading.db');
  const db = await createTradingDatabase(dbPath, { rows, overwrite: true });
  say(`1. created the sample trading database ${db.path}`);
  say(`   ${db.rows.instruments} instruments, ${db.rows.trades} trades, ${db.rows.positions} positions; ${db.planted.length} bad rows planted`);

  // 2. Models generated from the database.
  const source = await openSource(db.url);
  let modelDir: string;
  try {
    const schema = await source.introspect();
    const { model, files } = generateModelFiles(schema, ['pure', 'legend-json', 'json-schema', 'iceberg'], {
      package: 'model::trading',
      constraints: { trades: ['qtyPositive', 'validTicker'] },
    });
    modelDir = join(dir, 'models');
    await writeModelFiles(modelDir, files);
    say(`2. generated ${model.classes.length} model classes (Legend PURE, Legend entities, JSON Schema, Iceberg) in ${modelDir}`);
  } finally {
    await source.close();
  }

  // 3 + 4. Rules from the table's constraints; up to 1% of failing rows are quarantined rather than stopping the run.
  const rules = (await sourceRules(db.url, 'trades')).map((r) => ({ ...r, error_if: { percent: 1 } }));
  say(`3. validating a sample of trades with ${rules.length} rules from its constraints (${rules.map((r) => r.name).join(', ')})`);
  say(`4. backfilling trades into the Iceberg table demo.trades`);
  const tty = process.stderr.isTTY === true;
  const res = await backfill(
    {
      data_source: db.url,
      table: 'trades',
      target_table: 'demo.trades',
      window_size: Math.max(1000, Math.ceil(rows / 20)),
      parallel: Number(values.parallel ?? 4) || 4,
      validate_sample: 1000,
      rules,
      config,
      catalog_name: catalogName,
    },
    // The demo shows the bar on a terminal and stays quiet otherwise (the summary says the same).
    { onEvent: tty ? progressReporter(io.stderr, true) : undefined },
  );
  const v = res.validation!;
  say(`   sample: ${v.valid_records} of ${v.sample_size} rows valid (validation_score ${v.validation_score.toFixed(4)})`);
  const e = res.execution;
  say(
    `   run ${e.run_id}: ${e.status}, ${e.processed}/${e.windows} windows committed` +
      (e.skipped > 0 ? ` (${e.skipped} already committed by an earlier demo: nothing loaded twice)` : '') +
      `, ${e.rows_written} rows written, ${e.rows_quarantined} quarantined, ${e.rows_per_second} rows/s`,
  );

  // 5. Query, time travel one version back, summary.
  const catalog = await openCatalog(config, catalogName);
  const session = await SqlSession.open({ catalog });
  try {
    const show = async (q: string) => {
      io.stdout(`\n$ floe sql "${q}"\n`);
      const r = await session.execute(q);
      io.stdout(renderResult(r, 'table'));
      return r;
    };
    say('\n5. querying the result');
    await show(`SELECT side, count(*) AS trades, round(sum(quantity * price), 2) AS notional FROM demo.trades GROUP BY side ORDER BY side`);
    const snaps = await session.execute(`SELECT snapshot_id FROM iceberg_snapshots('demo.trades') ORDER BY sequence_number`);
    const ids = snaps.text.map((r) => r[0] as string);
    if (ids.length >= 2) {
      await show(
        `SELECT (SELECT count(*) FROM demo.trades) AS rows_now, ` +
          `(SELECT count(*) FROM iceberg_scan('demo.trades', snapshot_from_id=${ids[ids.length - 2]})) AS rows_one_version_back`,
      );
    }
    await show(`SELECT trade_id, ticker, quantity, __floe_failed_rules FROM demo.trades__quarantine ORDER BY trade_id`).catch(() => undefined);
  } finally {
    session.close();
    await catalog.close();
  }
  say('\nSummary');
  say(`  source       ${db.url} (table trades, ${db.rows.trades} rows)`);
  say(`  target       demo.trades in ${warehouse}`);
  say(`  windows      ${e.processed}/${e.windows} committed, ${e.failed} failed, plan ${res.plan.plan_hash}`);
  say(`  rows         ${e.rows_written} written, ${e.rows_quarantined} quarantined (demo.trades__quarantine)`);
  say(`  models       ${modelDir}`);
  say(`  manifest     ${res.manifest.location}`);
  say(`  took         ${((Date.now() - started) / 1000).toFixed(1)} s`);
  say(`Next: npx floe backfill status ${e.run_id}   npx floe snapshots demo.trades   npx floe sql "SELECT * FROM demo.trades LIMIT 5"`);
  return e.status === 'completed' ? 0 : 1;
}
