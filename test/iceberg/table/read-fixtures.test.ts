/**
 * Every fixture table written by Spark, Java, Athena, pyiceberg and DuckDB reads without error at every snapshot
 * of every metadata version, and the facts the writers' own test suites state hold.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../../src/engine/duckdb-engine.js';
import { scanTable } from '../../../src/engine/table-scan.js';
import { LocalFileIO } from '../../../src/iceberg/io/local-file-io.js';
import { openTable } from '../../../src/iceberg/table/table.js';
import { isFloeError } from '../../../src/errors.js';
import { and, type Expression } from '../../../src/iceberg/expr/expression.js';
import { icebergFixtures } from '../../../test-fixtures/fixture-env.js';

const fixtures = icebergFixtures();
const io = new LocalFileIO();

/** Metadata files that are broken on purpose, with the code floe must answer. */
const EXPECTED_FAILURES: Record<string, string> = {
  // DuckDB's test of a metadata file without `format-version`.
  'duckdb-iceberg/big_query_error/metadata/v0.metadata.json': 'METADATA_INVALID',
};

/**
 * generated_bounds (DuckDB's test of bound pruning) names 1,000 data files in a fake bucket that were never
 * written; it is only readable with the filter its test uses, which its bounds prune to nothing.
 */
const FILTERS: Record<string, Expression> = {
  'duckdb-iceberg/generated_bounds/metadata/v1.metadata.json': and(
    { kind: 'compare', op: 'gte', column: 'block_number', value: 5000000 },
    { kind: 'compare', op: 'lte', column: 'block_number', value: 5000100 },
  ),
};

function metadataFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (dir.endsWith('/metadata') && /\.metadata\.json$/.test(name)) out.push(p);
    }
  };
  walk(root);
  return out.sort();
}

if (!fixtures) {
  test('fixture tables', (t) => t.skip('fixtures absent: ../shared/fixtures/iceberg not found'));
} else {
  test('every fixture table reads at every snapshot of every metadata version', async () => {
    const engine = await Engine.create();
    let snapshotsRead = 0;
    const missingInFixtures = new Set<string>();
    try {
      const files = [...metadataFiles(join(fixtures, 'duckdb-iceberg')), ...metadataFiles(join(fixtures, 'icebird'))];
      assert.ok(files.length > 100, `found ${files.length} metadata files`);
      for (const file of files) {
        const rel = file.slice(fixtures.length + 1);
        const expected = EXPECTED_FAILURES[rel];
        let table;
        try {
          table = await openTable(io, file);
        } catch (err) {
          if (expected && isFloeError(err, expected as never)) continue;
          throw new Error(`${rel}: ${(err as Error).message}`, { cause: err });
        }
        assert.equal(expected, undefined, `${rel} should have failed with ${expected}`);
        const ids = table.metadata.snapshots.map((s) => s['snapshot-id']);
        for (const snapshotId of ids.length > 0 ? ids : [undefined]) {
          try {
            const { rows, plan } = await scanTable(engine, table, {
              ...(snapshotId === undefined ? {} : { snapshotId }),
              ...(FILTERS[rel] ? { filter: FILTERS[rel] } : {}),
            });
            const live = plan.tasks.reduce((n, t) => n + Number(t.file.record_count), 0);
            assert.ok(rows.length <= live, `${rel}@${snapshotId}: more rows than data files hold`);
            snapshotsRead++;
          } catch (err) {
            // A few fixture snapshots name manifest lists their writers never committed to the fixture folder
            // (e.g. equality_deletes/mytable's snap-7342794868382145167-1-*.avro): NOT_FOUND for a file that is
            // really absent is the right answer there, and nothing else is tolerated.
            const missing = isFloeError(err, 'NOT_FOUND') ? String(err.context.path ?? '') : '';
            if (missing && !existsSync(missing) && /\/metadata\/[^/]+\.avro$/.test(missing)) {
              missingInFixtures.add(missing);
              continue;
            }
            throw new Error(`${rel} at snapshot ${snapshotId}: ${(err as Error).message}`, { cause: err });
          }
        }
      }
      assert.ok(snapshotsRead > 100, `read ${snapshotsRead} snapshots`);
      assert.ok(missingInFixtures.size <= 3, `manifest lists missing from the fixtures: ${[...missingInFixtures].join(', ')}`);
    } finally {
      engine.close();
    }
  });

  test('icebird/spark/bunnies: 21 rows in v1, 20 after the merge-on-read delete, snapshot ids above 2^53 exact', async () => {
    const engine = await Engine.create();
    try {
      const dir = join(fixtures, 'icebird/spark/bunnies');
      const v1 = await openTable(io, join(dir, 'metadata/v1.metadata.json'));
      const r1 = await scanTable(engine, v1, { orderBy: '"Popularity Rank"' });
      assert.equal(r1.rows.length, 21);
      assert.deepEqual(
        [r1.rows[0]['Breed Name'], r1.rows[0]['Average Weight'], r1.rows[0]['Lifespan'], r1.rows[0]['Popularity Rank']],
        ['Holland Lop', 1.8, 7n, 1n],
      );
      // SQL gives no row order without ORDER BY; the writers' "first row" is the lowest popularity rank left.
      for (const t of [await openTable(io, join(dir, 'metadata/v3.metadata.json')), await openTable(io, dir, { allowGuessing: true })]) {
        const r = await scanTable(engine, t, { orderBy: '"Popularity Rank"' });
        assert.ok(!r.rows.some((row) => row['Breed Name'] === 'Holland Lop'), 'the deleted row is gone');
        assert.equal(r.rows.length, 20);
        assert.equal(r.rows[0]['Breed Name'], 'Netherland Dwarf');
        assert.equal(r.rows[0]['Popularity Rank'], 2n);
      }
      const latest = await openTable(io, dir, { allowGuessing: true });
      const old = await scanTable(engine, latest, { snapshotId: 7505300640432048841n });
      assert.equal(old.plan.snapshot?.['snapshot-id'], 7505300640432048841n);
      assert.equal(old.rows.length, 21);
    } finally {
      engine.close();
    }
  });

  test('icebird/java/bunnies: v2 has 21 rows; v3 adds a column and still has 21 rows', async () => {
    const engine = await Engine.create();
    try {
      const dir = join(fixtures, 'icebird/java/bunnies');
      const v2 = await scanTable(engine, await openTable(io, join(dir, 'metadata/v2.metadata.json')));
      assert.equal(v2.rows.length, 21);
      const v3table = await openTable(io, join(dir, 'metadata/v3.metadata.json'));
      const v3 = await scanTable(engine, v3table);
      assert.equal(v3.rows.length, 21);
      assert.ok(Object.keys(v3.rows[0]).length > Object.keys(v2.rows[0]).length, 'v3 has an added column');
    } finally {
      engine.close();
    }
  });
}
