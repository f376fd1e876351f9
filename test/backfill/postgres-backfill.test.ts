/**
 * Backfills from a real PostgreSQL table (100k rows, 8 columns of mixed types) into Iceberg and DuckDB tables:
 * parallel windows equal the source, re-runs and resumes after SIGKILL load nothing twice, a terminated backend
 * is retried, a target schema that disagrees stops without retries, planted bad rows are quarantined exactly,
 * a cancelled run resumes.
 */
import { after, before, describe, test } from 'node:test';
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBackfill } from '../../src/backfill/run.js';
import { backfill } from '../../src/backfill/backfill.js';
import { cancelBackfill, resumeBackfill } from '../../src/backfill/control.js';
import type { BackfillEvent, BackfillRequest } from '../../src/backfill/types.js';
import { Engine } from '../../src/engine/duckdb-engine.js';
import { isFloeError } from '../../src/errors.js';
import { openCatalog, parseTableName } from '../../src/iceberg/catalog/open-catalog.js';
import { tableOf } from '../../src/iceberg/table/commit.js';
import { scanTable } from '../../src/engine/table-scan.js';
import { parseJson } from '../../src/util/json.js';
import { postgresUnavailable, skipWithoutPostgres, PG_URI } from '../helpers/postgres.js';
import { compareSourceAndTarget, createPgEvents, tempWarehouse, type PgEvents } from './backfill-fixtures.js';

const ROWS = 100_000;
let problem: string | undefined;
let pg: PgEvents;

before(async () => {
  problem = await postgresUnavailable();
  if (problem === undefined) pg = await createPgEvents(ROWS);
});
after(async () => {
  if (problem === undefined) await pg.drop();
});

async function assertEqualsSource(config: BackfillRequest['config'], target: string) {
  const cmp = await compareSourceAndTarget(pg.url, 'events', config!, target);
  assert.equal(cmp.target.rows, BigInt(ROWS), 'row count');
  assert.equal(cmp.distinctIds, BigInt(ROWS), 'no duplicates');
  assert.equal(cmp.target.checksum, cmp.source.checksum, 'checksum');
  return cmp;
}

function childRun(request: Record<string, unknown>, crashAt: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  const script = fileURLToPath(new URL('./backfill-child.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(request)], {
      env: { ...process.env, FLOE_BACKFILL_CRASH_AT: crashAt },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, out }));
  });
}

describe('backfill from PostgreSQL', () => {
  test('4 parallel windows: the Iceberg table equals the source; a re-run loads nothing twice; manifest and audit row', async (t) => {
    if (problem !== undefined) return skipWithoutPostgres(t, problem);
    const wh = await tempWarehouse();
    try {
      const events: BackfillEvent[] = [];
      const req: BackfillRequest = { data_source: pg.url, table: 'events', target_table: 'bf.events', window_size: 25_000, parallel: 4, config: wh.config };
      const res = await backfill(req, { onEvent: (e) => events.push(e) });
      assert.equal(res.plan.windows, 4);
      assert.equal(res.execution.status, 'completed');
      assert.equal(res.execution.processed, 4);
      assert.equal(res.execution.failed, 0);
      assert.equal(res.execution.success_rate, 1);
      assert.equal(res.execution.rows_written, ROWS);
      assert.ok(res.execution.rows_per_second > 0);
      assert.ok(res.validation && res.validation.sample_size === 100, 'a sample of 100 was validated');
      const cmp = await assertEqualsSource(wh.config, 'bf.events');
      assert.equal(cmp.snapshots.length, 4, 'one commit per window');
      // Windows overlapped in time: at least two were running at once.
      let running = 0;
      let most = 0;
      for (const e of events) {
        if (e.type === 'window.start') most = Math.max(most, ++running);
        if (e.type === 'window.committed') running--;
      }
      assert.ok(most >= 2, `windows ran in parallel (at most ${most} at once)`);

      const manifest = parseJson(await readFile(res.manifest.location, 'utf8')) as Record<string, any>;
      assert.equal(manifest.manifest_id, res.manifest.manifest_id);
      assert.equal(manifest.plan_hash, res.plan.plan_hash);
      assert.equal(manifest.windows.length, 4);
      for (const w of manifest.windows) {
        assert.equal(w.status, 'committed');
        assert.equal(w.checksum, w.checksum_read_back);
        assert.equal(w.rows_read, w.source_count);
      }
      assert.match(String(manifest.source.schema_fingerprint), /^[0-9a-f]{64}$/);
      assert.match(String(manifest.target.schema_fingerprint), /^[0-9a-f]{64}$/);

      const again = await backfill(req);
      assert.equal(again.execution.run_id, res.execution.run_id, 'the same request is the same run');
      assert.equal(again.execution.skipped, 4);
      const cmp2 = await assertEqualsSource(wh.config, 'bf.events');
      assert.equal(cmp2.snapshots.length, 4, 'nothing committed again');

      const catalog = await openCatalog(wh.config);
      const engine = await Engine.create();
      try {
        const audit = await catalog.loadTable(parseTableName('floe_audit.backfill_runs'));
        const { rows } = await scanTable(engine, tableOf(audit), { orderBy: 'recorded_at' });
        assert.equal(rows.length, 2);
        assert.equal(rows[0].run_id, res.execution.run_id);
        assert.equal(rows[0].manifest_id, res.manifest.manifest_id);
        assert.equal(Number(rows[0].rows_written), ROWS);
      } finally {
        engine.close();
        await catalog.close();
      }
    } finally {
      await wh.drop();
    }
  });

  for (const crashAt of ['mid-window:2', 'after-commit:2']) {
    test(`SIGKILL at ${crashAt}, then the same request resumes: equal to the source, no duplicates, the manifest tells`, async (t) => {
      if (problem !== undefined) return skipWithoutPostgres(t, problem);
      const wh = await tempWarehouse();
      try {
        const config_json = { catalog: 'sql', catalog_config: { uri: `sqlite:${join(wh.dir, 'catalog.db')}`, warehouse: wh.warehouse } };
        const base = { data_source: pg.url, table: 'events', target_table: 'bf.events', window_size: 10_000, parallel: 2 };
        const child = await childRun({ ...base, config_json }, crashAt);
        assert.equal(child.signal, 'SIGKILL', `the child died at ${crashAt} (exit ${child.code})`);
        const res = await runBackfill({ ...base, config: wh.config });
        assert.equal(res.status, 'completed');
        assert.equal(res.processed, 10);
        await assertEqualsSource(wh.config, 'bf.events');
        const manifest = parseJson(await readFile(res.manifest.location, 'utf8')) as Record<string, any>;
        assert.equal(manifest.invocations.length, 2, 'the killed invocation and the resume');
        assert.equal(manifest.invocations[0].status, undefined, 'the first never finished');
        if (crashAt.startsWith('after-commit')) {
          const recovered = manifest.windows.filter((w: any) => (w.notes ?? []).some((n: string) => n.startsWith('found committed in the target')));
          assert.ok(recovered.length >= 1, 'the window committed just before the kill was found in the target, not loaded again');
          assert.equal(manifest.invocations[1].recovered, recovered.length);
        } else {
          const rerun = manifest.windows.filter((w: any) => (w.notes ?? []).some((n: string) => n.startsWith('running in invocation')));
          assert.ok(rerun.length >= 1, 'the window killed mid-way is recorded and ran again');
        }
      } finally {
        await wh.drop();
      }
    });
  }

  test('a backend terminated mid-window (pg_terminate_backend) is retried and the run completes', async (t) => {
    if (problem !== undefined) return skipWithoutPostgres(t, problem);
    const wh = await tempWarehouse();
    const pgmod = (await import('pg')).default;
    const killer = new pgmod.Client({ connectionString: PG_URI });
    await killer.connect();
    let killed = 0;
    let stop = false;
    let started!: () => void;
    const runStarted = new Promise<void>((r) => (started = r));
    const loop = (async () => {
      // Once the windows run (planning's own probe is not the target), kill the first COPY of this schema's table
      // seen running, from another connection.
      await runStarted;
      while (!stop && killed === 0) {
        const r = await killer.query(
          `SELECT pg_terminate_backend(pid) AS k FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND state = 'active' AND query LIKE 'COPY (SELECT%' AND query LIKE $1`,
          [`%${pg.schema}%`],
        );
        killed += r.rows.filter((x) => x.k === true).length;
        await new Promise((res) => setTimeout(res, 2));
      }
    })();
    // Awaited after the run; a handler now keeps an early failure of the killer from being an unhandled rejection.
    loop.catch(() => undefined);
    try {
      const events: BackfillEvent[] = [];
      const res = await runBackfill(
        { data_source: pg.url, table: 'events', target_table: 'bf.events', window_size: 50_000, parallel: 1, retry_base_ms: 50, config: wh.config },
        {
          onEvent: (e) => {
            events.push(e);
            if (e.type === 'run.start') started();
          },
        },
      );
      stop = true;
      await loop;
      assert.ok(killed >= 1, 'a backend was terminated');
      const retries = events.filter((e) => e.type === 'window.retry');
      assert.ok(retries.length >= 1, 'the window was retried');
      assert.equal((retries[0] as { code: string }).code, 'SOURCE_UNAVAILABLE');
      assert.equal(res.status, 'completed');
      await assertEqualsSource(wh.config, 'bf.events');
    } finally {
      stop = true;
      started();
      await loop.catch(() => undefined);
      await killer.end();
      await wh.drop();
    }
  });

  test('a target whose schema disagrees stops the window at once, without retries', async (t) => {
    if (problem !== undefined) return skipWithoutPostgres(t, problem);
    const wh = await tempWarehouse();
    const catalog = await openCatalog(wh.config);
    try {
      await catalog.createNamespace(['bf']);
      await catalog.createTable(parseTableName('bf.events'), {
        schema: { type: 'struct', 'schema-id': 0, fields: [
          { id: 1, name: 'id', required: true, type: 'long' },
          { id: 2, name: 'extra', required: true, type: 'string' },
        ] },
      });
      const events: BackfillEvent[] = [];
      const res = await runBackfill(
        { data_source: pg.url, table: 'events', target_table: 'bf.events', window_size: 25_000, parallel: 1, config: wh.config },
        { onEvent: (e) => events.push(e) },
      );
      assert.equal(res.status, 'failed');
      assert.equal(res.errors[0].code, 'SCHEMA_MISMATCH');
      assert.equal(res.errors[0].attempts, 1, 'no retry');
      assert.equal(events.filter((e) => e.type === 'window.retry').length, 0);
      assert.equal(res.processed, 0);
      assert.equal((await catalog.loadTable(parseTableName('bf.events'))).metadata.snapshots.length, 0, 'nothing written');
      const manifest = parseJson(await readFile(res.manifest.location, 'utf8')) as Record<string, any>;
      assert.equal(manifest.windows.filter((w: any) => w.status === 'failed').length, 1);
      assert.equal(manifest.windows.filter((w: any) => w.status === 'pending').length, 3, 'the rest were not started');
    } finally {
      await catalog.close();
      await wh.drop();
    }
  });

  test('planted bad rows: the quarantine holds exactly the failing rows, the target the others', async (t) => {
    if (problem !== undefined) return skipWithoutPostgres(t, problem);
    const wh = await tempWarehouse();
    await pg.exec(`CREATE TABLE bad_events AS SELECT * FROM events WHERE id <= 20000; ALTER TABLE bad_events ADD PRIMARY KEY (id);` +
      `UPDATE bad_events SET qty = -qty WHERE id % 1000 = 1; UPDATE bad_events SET symbol = 'bad symbol' WHERE id % 2500 = 2`);
    const engine = await Engine.create();
    const catalog = await openCatalog(wh.config);
    try {
      const rules = [
        { name: 'qty_positive', type: 'range', column: 'qty', min: 0, min_inclusive: false, error_if: { percent: 5 } },
        { name: 'symbol_ticker', type: 'regex', column: 'symbol', pattern: '^[A-Z]+$', error_if: { percent: 5 } },
      ];
      const res = await runBackfill({ data_source: pg.url, table: 'bad_events', target_table: 'bf.clean', window_size: 5000, parallel: 2, rules, config: wh.config });
      assert.equal(res.status, 'completed');
      const planted = (await pg.exec(`SELECT id FROM bad_events WHERE qty <= 0 OR symbol !~ '^[A-Z]+$' ORDER BY id`)).map((r: any) => Number(r.id));
      assert.ok(planted.length >= 20, `${planted.length} planted bad rows`);
      const q = await scanTable(engine, tableOf(await catalog.loadTable(parseTableName('bf.clean__quarantine'))), { orderBy: 'id' });
      assert.deepEqual(q.rows.map((r) => Number(r.id)), planted);
      assert.deepEqual(q.rows.find((r) => Number(r.id) === 2)?.__floe_failed_rules, ['symbol_ticker']);
      assert.deepEqual(q.rows.find((r) => Number(r.id) === 1)?.__floe_failed_rules, ['qty_positive']);
      const target = await scanTable(engine, tableOf(await catalog.loadTable(parseTableName('bf.clean'))), { where: 'true' });
      assert.equal(target.rows.length, 20000 - planted.length);
      assert.equal(target.rows.filter((r) => planted.includes(Number(r.id))).length, 0);
      assert.equal(res.rows_quarantined, planted.length);

      // Past a threshold the window (and the run) stops: VALIDATION_FAILED, nothing of that window written.
      const strict = await runBackfill({ data_source: pg.url, table: 'bad_events', target_table: 'bf.strict', window_size: 5000, parallel: 1, rules: [{ name: 'qty_positive', type: 'range', column: 'qty', min: 0, min_inclusive: false }], config: wh.config });
      assert.equal(strict.status, 'failed');
      assert.equal(strict.errors[0].code, 'VALIDATION_FAILED');
      assert.equal(strict.processed, 0);
    } finally {
      engine.close();
      await catalog.close();
      await pg.exec('DROP TABLE bad_events');
      await wh.drop();
    }
  });

  test('cancel stops between windows; resume completes it', async (t) => {
    if (problem !== undefined) return skipWithoutPostgres(t, problem);
    const wh = await tempWarehouse();
    try {
      const req: BackfillRequest = { data_source: pg.url, table: 'events', target_table: 'bf.events', window_size: 5000, parallel: 1, config: wh.config };
      let asked = false;
      const res = await runBackfill(req, {
        onEvent: (e) => {
          if (e.type === 'window.committed' && !asked) {
            asked = true;
            void cancelBackfill({ config: wh.config }, e.run_id);
          }
        },
      });
      assert.equal(res.status, 'cancelled');
      assert.ok(res.processed >= 1 && res.processed < 20, `stopped early (${res.processed} of 20 windows)`);
      const resumed = await resumeBackfill({ config: wh.config }, res.run_id);
      assert.equal(resumed.status, 'completed');
      assert.equal(resumed.skipped, res.processed);
      await assertEqualsSource(wh.config, 'bf.events');

      // An AbortSignal cancels too, with nothing half-written.
      const ac = new AbortController();
      const wh2 = await tempWarehouse();
      try {
        const r2 = await runBackfill({ ...req, config: wh2.config }, { signal: ac.signal, onEvent: (e) => e.type === 'window.committed' && ac.abort() });
        assert.equal(r2.status, 'cancelled');
        const r3 = await runBackfill({ ...req, config: wh2.config });
        assert.equal(r3.status, 'completed');
        await assertEqualsSource(wh2.config, 'bf.events');
      } finally {
        await wh2.drop();
      }
    } finally {
      await wh.drop();
    }
  });

  test('a DuckDB target: equal to the source, exactly once across a re-run', async (t) => {
    if (problem !== undefined) return skipWithoutPostgres(t, problem);
    const wh = await tempWarehouse();
    try {
      const path = join(wh.dir, 'out.duckdb');
      const req: BackfillRequest = { data_source: pg.url, table: 'events', target_table: `duckdb:${path}#events`, window_size: 25_000, parallel: 4, config: wh.config };
      const res = await runBackfill(req);
      assert.equal(res.status, 'completed');
      const again = await runBackfill(req);
      assert.equal(again.skipped, 4);
      const engine = await Engine.create(path);
      try {
        const [n, d] = (await (await engine.run('SELECT count(*)::BIGINT, count(DISTINCT id)::BIGINT FROM events')).getRowsJS())[0] as bigint[];
        assert.equal(n, BigInt(ROWS));
        assert.equal(d, BigInt(ROWS));
        const w = (await (await engine.run('SELECT count(*)::INTEGER FROM _floe_backfill_windows')).getRowsJS())[0][0];
        assert.equal(w, 4);
      } finally {
        engine.close();
      }
    } finally {
      await wh.drop();
    }
  });

  test('bad requests are INVALID_ARGUMENT before anything runs', async () => {
    await assert.rejects(runBackfill({ data_source: '', table: 't', target_table: 'a.b' }), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
    await assert.rejects(runBackfill({ data_source: 'sqlite:x', table: 't' }), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
    await assert.rejects(runBackfill({ data_source: 'sqlite:x', table: 't', target_table: 'a.b', parallel: 0 }), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
    await assert.rejects(runBackfill({ data_source: 'sqlite:x', table: 't', target_table: 'a.b', write_mode: 'upsert' }), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
    await assert.rejects(runBackfill({ data_source: 'sqlite:x', table: 't', target_table: 'a.b', run_id: '../x' }), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
  });
});
