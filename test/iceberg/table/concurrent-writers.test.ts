/**
 * Concurrent writers: 4 OS processes (test/helpers/append-worker.ts) each commit 25 appends of 10 rows to ONE table,
 * through the iceberg.writer contract, on the SQL catalog over SQLite (one catalog.db file) and over PostgreSQL
 * (127.0.0.1:5432, database `test`, trust auth; `FLOE_TEST_PG_URI` overrides; a namespace of its own per run).
 * Optimistic concurrency must lose nothing and duplicate nothing: exactly 100 snapshots in one linear chain, every
 * (writer, seq) batch exactly once, and every snapshot readable through the scan path with k*10 rows at the k-th.
 */
import { test, type TestContext } from 'node:test';
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeFloeConfig } from '../../../src/config/floe-config.js';
import { Engine } from '../../../src/engine/duckdb-engine.js';
import { scanTable } from '../../../src/engine/table-scan.js';
import type { Catalog } from '../../../src/iceberg/catalog/catalog.js';
import { openCatalog, parseTableName } from '../../../src/iceberg/catalog/open-catalog.js';
import type { Schema } from '../../../src/iceberg/spec/schema.js';
import type { Snapshot } from '../../../src/iceberg/spec/snapshot.js';
import { tableOf } from '../../../src/iceberg/table/commit.js';
import { planScan } from '../../../src/iceberg/table/scan-planner.js';
import { snapshotManifestFiles } from '../../../src/iceberg/table/snapshot-manifests.js';
import { PG_URI, postgresUnavailable, skipWithoutPostgres } from '../../helpers/postgres.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WORKER = fileURLToPath(new URL('../../helpers/append-worker.ts', import.meta.url));

const WRITERS = 4;
const APPENDS = 25;
const ROWS = 10;
/** Per worker process; a hung worker is killed so the test fails instead of hanging. */
const WORKER_TIMEOUT_MS = 150_000;
/** Enough retries that 4 writers racing for 100 commits all get through. */
const PROPERTIES: Record<string, string> = {
  'commit.retry.num-retries': '50',
  'commit.retry.min-wait-ms': '5',
  'commit.retry.max-wait-ms': '200',
};

const SCHEMA: Schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'writer', required: false, type: 'int' },
    { id: 2, name: 'seq', required: false, type: 'int' },
    { id: 3, name: 'i', required: false, type: 'int' },
  ],
};

interface WorkerOutcome {
  writer: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts one writer process and resolves when it exits (killing it past the timeout). */
function runWorker(uri: string, warehouse: string, table: string, writer: number): Promise<WorkerOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', WORKER, uri, warehouse, table, String(writer), String(APPENDS), String(ROWS)],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), WORKER_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ writer, code, signal, stdout, stderr });
    });
  });
}

function pairKey(writer: unknown, seq: unknown): string {
  return `${Number(writer)}:${Number(seq)}`;
}

/** The snapshot chain from the oldest to `head`, following parent ids. */
function chainTo(snapshots: Snapshot[], head: bigint): Snapshot[] {
  const byId = new Map(snapshots.map((s) => [s['snapshot-id'], s] as const));
  const chain: Snapshot[] = [];
  for (let id: bigint | undefined = head; id !== undefined; ) {
    const s = byId.get(id);
    assert.ok(s, `snapshot ${id} of the chain is missing from the metadata`);
    chain.push(s);
    assert.ok(chain.length <= snapshots.length, 'the parent chain loops');
    id = s['parent-snapshot-id'];
  }
  return chain.reverse();
}

/** The whole scenario against one catalog: create, race 4 processes, check everything. */
async function raceOnCatalog(uri: string, warehouse: string, tableName: string): Promise<void> {
  const id = parseTableName(tableName);
  const catalog: Catalog = await openCatalog(normalizeFloeConfig({ catalog: 'sql', catalog_config: { uri, warehouse } }));
  const engine = await Engine.create();
  try {
    await catalog.createNamespace(id.namespace);
    const created = await catalog.createTable(id, { schema: SCHEMA, properties: PROPERTIES, formatVersion: 2 });
    assert.equal(created.metadata.snapshots.length, 0);

    const started = Date.now();
    const outcomes = await Promise.all(Array.from({ length: WRITERS }, (_, w) => runWorker(uri, warehouse, tableName, w)));
    const raceMs = Date.now() - started;

    // Every worker exited 0 and printed no error; each reports its 25 snapshot ids in commit order.
    const reported = new Map<string, { writer: number; seq: number }>();
    for (const o of outcomes) {
      assert.equal(o.code, 0, `worker ${o.writer} exited ${o.code ?? o.signal}: ${o.stderr}`);
      assert.equal(o.stderr.trim(), '', `worker ${o.writer} printed to stderr`);
      const out = JSON.parse(o.stdout.trim()) as { writer: number; snapshots: string[] };
      assert.equal(out.writer, o.writer);
      assert.equal(out.snapshots.length, APPENDS);
      out.snapshots.forEach((s, seq) => {
        assert.ok(!reported.has(s), `snapshot id ${s} reported twice`);
        reported.set(s, { writer: o.writer, seq });
      });
    }

    const ct = await catalog.loadTable(id);
    const md = ct.metadata;
    // Exactly the 100 snapshots the workers committed, and nothing else.
    const total = WRITERS * APPENDS;
    assert.equal(md.snapshots.length, total);
    assert.deepEqual(new Set(md.snapshots.map((s) => s['snapshot-id'].toString())), new Set(reported.keys()));
    assert.deepEqual(Object.keys(md.refs), ['main']);
    assert.equal(md.refs.main['snapshot-id'], md['current-snapshot-id']);
    assert.equal(md['snapshot-log'].length, total);
    assert.equal(md['last-sequence-number'], BigInt(total));

    // One linear chain through all of them, oldest first; sequence numbers 1..100.
    const chain = chainTo(md.snapshots, md['current-snapshot-id']!);
    assert.equal(chain.length, total);
    chain.forEach((s, k) => {
      assert.equal(s.summary.operation, 'append');
      assert.equal(s['sequence-number'], BigInt(k + 1));
      assert.equal(s.summary['added-records'], String(ROWS));
      assert.equal(s.summary['total-records'], String((k + 1) * ROWS));
    });
    assert.deepEqual(md['snapshot-log'].map((e) => e['snapshot-id']), chain.map((s) => s['snapshot-id']));

    // The current snapshot: exactly 4*25*10 rows, each (writer, seq) batch once with i = 0..9.
    const table = tableOf(ct);
    const { rows } = await scanTable(engine, table, { orderBy: 'writer, seq, i' });
    assert.equal(rows.length, total * ROWS);
    const batches = new Map<string, number[]>();
    for (const r of rows) {
      const key = pairKey(r.writer, r.seq);
      batches.set(key, [...(batches.get(key) ?? []), Number(r.i)]);
    }
    assert.equal(batches.size, total);
    for (let w = 0; w < WRITERS; w++) {
      for (let s = 0; s < APPENDS; s++) {
        assert.deepEqual(batches.get(pairKey(w, s)), Array.from({ length: ROWS }, (_, i) => i), `batch ${pairKey(w, s)}`);
      }
    }

    // Every snapshot reads back through the scan path: the k-th holds k*10 rows, the previous one's plus exactly the
    // batch its writer reported for it; each writer's batches appear in its own commit order.
    let previous = new Set<string>();
    const lastSeq = new Map<number, number>();
    for (const [k, snap] of chain.entries()) {
      const at = await scanTable(engine, table, { snapshotId: snap['snapshot-id'] });
      assert.equal(at.rows.length, (k + 1) * ROWS, `rows at snapshot ${k + 1}`);
      const pairs = new Set(at.rows.map((r) => pairKey(r.writer, r.seq)));
      const added = [...pairs].filter((p) => !previous.has(p));
      assert.equal(pairs.size, k + 1, `batches at snapshot ${k + 1}`);
      assert.ok([...previous].every((p) => pairs.has(p)), `snapshot ${k + 1} lost rows of its parent`);
      const who = reported.get(snap['snapshot-id'].toString())!;
      assert.deepEqual(added, [pairKey(who.writer, who.seq)], `snapshot ${k + 1} adds the batch its writer committed`);
      assert.equal(who.seq, (lastSeq.get(who.writer) ?? -1) + 1, `writer ${who.writer} commits in order`);
      lastSeq.set(who.writer, who.seq);
      previous = pairs;
    }

    // Commits that lost a race cleaned up after themselves: every file under the table is referenced by its
    // metadata (metadata files of the log, one manifest list per snapshot, their manifests, the 100 data files).
    const referenced = new Set<string>([ct.metadataLocation, ...md['metadata-log'].map((e) => e['metadata-file'])]);
    for (const snap of md.snapshots) {
      referenced.add(snap['manifest-list']!);
      for (const m of await snapshotManifestFiles(table, snap)) referenced.add(m.manifest_path);
    }
    const plan = await planScan(table);
    assert.equal(plan.tasks.length, total);
    for (const task of plan.tasks) referenced.add(task.file.file_path);
    const onDisk = (await readdir(md.location, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath ?? e.path, e.name));
    assert.deepEqual(onDisk.filter((f) => !referenced.has(f)).sort(), [], 'files no metadata references');
    assert.deepEqual([...referenced].filter((f) => !onDisk.includes(f)).sort(), [], 'referenced files that are missing');

    const checkMs = Date.now() - started - raceMs;
    console.log(`${uri.split(':')[0]}: ${WRITERS} writers x ${APPENDS} appends in ${raceMs} ms; verified in ${checkMs} ms`);
  } finally {
    engine.close();
    await catalog.dropTable(id, true).catch(() => undefined);
    await catalog.dropNamespace(id.namespace).catch(() => undefined);
    await catalog.close();
  }
}

test('concurrent writers: 4 processes x 25 appends on one SQLite catalog', { timeout: 240_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-concurrent-sqlite-'));
  try {
    await raceOnCatalog(`sqlite:${join(dir, 'catalog.db')}`, join(dir, 'wh'), 'race.events');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('concurrent writers: 4 processes x 25 appends on one PostgreSQL catalog', { timeout: 240_000 }, async (t: TestContext) => {
  const problem = await postgresUnavailable();
  if (problem !== undefined) {
    skipWithoutPostgres(t, problem);
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'floe-concurrent-pg-'));
  try {
    const ns = `floe_race_${randomUUID().replace(/-/g, '')}`;
    await raceOnCatalog(PG_URI, join(dir, 'wh'), `${ns}.events`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
