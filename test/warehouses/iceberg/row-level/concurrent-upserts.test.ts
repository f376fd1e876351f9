/**
 * Concurrency of row-level operations. Two OS processes (test/helpers/upsert-worker.ts) upsert overlapping keys
 * into one table on the SQLite catalog, merge-on-read (v3, deletion vectors) and copy-on-write (v2): every key ends
 * present exactly once, and each key holds the values of the last committed upsert that wrote it (by sequence
 * number), so no update reported as a success was lost. And the validation itself: an append that cannot hold
 * the operation's keys does not conflict; one that may, or a concurrent delete on a rewritten file, does.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isFloeError } from '../../../../src/errors.js';
import { scanTable } from '../../../../src/engine/table-scan.js';
import { writeIceberg } from '../../../../src/warehouses/iceberg/iceberg-writer.js';
import { conflictValidator } from '../../../../src/warehouses/iceberg/row-level/conflicts.js';
import { loadTableAt, planCandidates } from '../../../../src/warehouses/iceberg/row-level/row-operation.js';
import { deleteRows } from '../../../../src/warehouses/iceberg/row-level/delete-rows.js';
import { RowLevelFixture, assertSnapshotCounts } from './row-level-fixture.js';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const WORKER = fileURLToPath(new URL('../../../helpers/upsert-worker.ts', import.meta.url));
const ROUNDS = 4;
const RANGES: Array<[number, number]> = [
  [0, 60],
  [30, 90],
];

function runWorker(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

for (const [formatVersion, mode] of [
  [3, 'merge-on-read'],
  [2, 'copy-on-write'],
] as const) {
  test(`two processes upserting overlapping keys: ${mode}, v${formatVersion}`, async () => {
    const f = new RowLevelFixture({ formatVersion, partitioned: false });
    await f.open();
    try {
      // A table of (id, writer, round) with ids 0..99 written by "writer -1".
      const config = {
        ...f.config,
        table: 'db.u',
        properties: { 'write.update.mode': mode, 'commit.retry.num-retries': '20', 'commit.retry.min-wait-ms': '5', 'commit.retry.max-wait-ms': '100' },
      };
      await writeIceberg(config, { sql: 'SELECT range::BIGINT AS id, -1 AS writer, 0 AS round FROM range(100)' }, {}, { catalog: f.catalog, engine: f.engine });
      const cc = f.config.catalog_config as { uri: string; warehouse: string };
      const outcomes = await Promise.all(
        RANGES.map(([from, to], w) => runWorker([cc.uri, cc.warehouse, 'db.u', String(w), String(ROUNDS), String(from), String(to)])),
      );
      for (const o of outcomes) assert.equal(o.code, 0, o.stderr);
      const committed = outcomes.map((o) => JSON.parse(o.stdout.trim()) as { writer: number; snapshots: string[] });
      const table = (await import('../../../../src/iceberg/table/commit.js')).tableOf(await f.catalog.loadTable({ namespace: ['db'], name: 'u' }));
      const seqOf = new Map(table.metadata.snapshots.map((s) => [String(s['snapshot-id']), s['sequence-number']] as const));
      // Expected: per key, the (writer, round) of the committed upsert with the highest sequence number.
      const expected = new Map<number, { seq: bigint; writer: number; round: number }>();
      for (let id = 0; id < 100; id++) expected.set(id, { seq: -1n, writer: -1, round: 0 });
      for (const c of committed) {
        assert.equal(c.snapshots.length, ROUNDS);
        const [from, to] = RANGES[c.writer];
        c.snapshots.forEach((sid, round) => {
          const seq = seqOf.get(sid);
          assert.ok(seq !== undefined, `reported snapshot ${sid} is in the table`);
          for (let id = from; id < to; id++) if (seq > expected.get(id)!.seq) expected.set(id, { seq, writer: c.writer, round });
        });
      }
      const { rows } = await scanTable(f.engine, table, { orderBy: 'id' });
      assert.equal(rows.length, 100, 'every key exactly once');
      assert.deepEqual(
        rows.map((r) => `${r.id}:${r.writer}:${r.round}`),
        [...expected].map(([id, e]) => `${id}:${e.writer}:${e.round}`),
      );
      await assertSnapshotCounts(f.engine, table);
    } finally {
      await f.close();
    }
  });
}

test('validation: a concurrent append outside the keys does not conflict; one inside, or a delete on a touched file, does', async () => {
  const f = await new RowLevelFixture({ formatVersion: 2, partitioned: true, properties: { 'write.delete.mode': 'merge-on-read' } }).open();
  try {
    const loaded = await loadTableAt(f.catalog, f.id);
    const filter = { kind: 'compare' as const, op: 'lt' as const, column: 'id', value: 50n };
    const plan = await planCandidates(loaded, filter);
    const scope = {
      startingSnapshotId: loaded.startingSnapshotId,
      branch: 'main',
      referencedDataFiles: plan.tasks.filter((t) => [...t.file.partition.values()][0] === 1),
      removedDeleteFiles: new Set<string>(),
      checkAddedData: true,
      filter,
    };
    assert.ok(scope.referencedDataFiles.length > 0);
    const validate = conflictValidator(scope);
    const deps = { catalog: f.catalog, engine: f.engine };
    await writeIceberg(f.config, { sql: "SELECT 500::BIGINT AS id, 1 AS grp, 'x' AS name, 1.0::DOUBLE AS v" }, {}, deps);
    await validate(await f.table()); // ids >= 500 cannot match id < 50: no conflict
    await deleteRows(f.catalog, f.id, 'id = 295', { engine: f.engine }); // grp 0: not a touched partition
    await validate(await f.table());
    await deleteRows(f.catalog, f.id, 'id = 46', { engine: f.engine }); // grp 1, ids 0-99: deletes on a touched file
    await assert.rejects(validate(await f.table()), (e) => isFloeError(e, 'COMMIT_CONFLICT'));
    const fresh = conflictValidator({ ...scope, startingSnapshotId: (await f.table()).metadata['current-snapshot-id'], referencedDataFiles: [] });
    await writeIceberg(f.config, { sql: "SELECT 7::BIGINT AS id, 2 AS grp, 'x' AS name, 1.0::DOUBLE AS v" }, {}, deps);
    await assert.rejects(fresh(await f.table()), (e) => isFloeError(e, 'COMMIT_CONFLICT'), 'an added file may hold id < 50');
  } finally {
    await f.close();
  }
});
