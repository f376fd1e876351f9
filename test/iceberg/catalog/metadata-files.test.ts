/**
 * Metadata files of metastore-style catalogs: version naming, gzip, no overwrite, and the shared commit step
 * (requirements, updates, metadata log, new file).
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { isFloeError, type FloeErrorCode } from '../../../src/errors.js';
import {
  commitMetadataChange,
  metadataFilesToDelete,
  newMetadataLocation,
  readMetadataFile,
  writeMetadataFile,
  type MetadataPointer,
} from '../../../src/iceberg/catalog/metadata-files.js';
import { MemoryFileIO } from '../../../src/iceberg/io/memory-file-io.js';
import { newTableMetadata, updatesForNewTable } from '../../../src/iceberg/spec/apply-updates.js';
import type { Schema } from '../../../src/iceberg/spec/schema.js';
import type { TableMetadata } from '../../../src/iceberg/spec/table-metadata.js';

const NOW = 1_700_000_000_000n;
const LOC = 'mem://wh/db/t';
const NAME = /^(\d{5,})-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.metadata\.json$/;

const schema: Schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'data', required: false, type: 'string' },
  ],
};

function table(properties: Record<string, string> = {}): TableMetadata {
  return newTableMetadata({ schema, location: LOC, properties }, NOW);
}

async function rejectsCode(p: Promise<unknown>, code: FloeErrorCode, retryable?: boolean): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isFloeError(err), `expected a FloeError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (retryable !== undefined) assert.equal(err.retryable, retryable);
    return true;
  });
}

function fileName(location: string): string {
  return location.slice(location.lastIndexOf('/') + 1);
}

test('newMetadataLocation numbers versions from the previous file name', () => {
  const md = table();
  const first = newMetadataLocation(md);
  assert.ok(first.startsWith(`${LOC}/metadata/`), first);
  assert.equal(NAME.exec(fileName(first))?.[1], '00000');
  const second = newMetadataLocation(md, first);
  assert.equal(NAME.exec(fileName(second))?.[1], '00001');
  assert.notEqual(fileName(first).slice(6), fileName(second).slice(6)); // a fresh uuid each time
  assert.equal(NAME.exec(fileName(newMetadataLocation(md, `${LOC}/metadata/v3.metadata.json`)))?.[1], '00004');
  assert.equal(NAME.exec(fileName(newMetadataLocation(md, `${LOC}/metadata/00041-abc.metadata.json`)))?.[1], '00042');
  assert.equal(NAME.exec(fileName(newMetadataLocation(md, `${LOC}/metadata/99999-abc.metadata.json`)))?.[1], '100000');
  assert.equal(NAME.exec(fileName(newMetadataLocation(md, `${LOC}/metadata/odd.metadata.json`)))?.[1], '00000');
});

test('newMetadataLocation honours write.metadata.path and the gzip codec', () => {
  const custom = newMetadataLocation(table({ 'write.metadata.path': 's3://meta/here/' }));
  assert.match(custom, /^s3:\/\/meta\/here\/00000-[0-9a-f-]{36}\.metadata\.json$/);
  const gz = newMetadataLocation(table({ 'write.metadata.compression-codec': 'GZIP' }), `${LOC}/metadata/00002-x.gz.metadata.json`);
  assert.match(gz, /\/00003-[0-9a-f-]{36}\.gz\.metadata\.json$/);
  assert.throws(
    () => newMetadataLocation(table({ 'write.metadata.compression-codec': 'zstd' })),
    (err: unknown) => isFloeError(err, 'UNSUPPORTED'),
  );
});

test('writeMetadataFile writes plain or gzip by name and never overwrites', async () => {
  const io = new MemoryFileIO();
  const md = table();
  const plain = `${LOC}/metadata/00000-a.metadata.json`;
  await writeMetadataFile(io, plain, md);
  assert.equal((await io.read(plain))[0], '{'.charCodeAt(0));
  assert.deepEqual(await readMetadataFile(io, plain), md);

  const gz = `${LOC}/metadata/00000-b.gz.metadata.json`;
  await writeMetadataFile(io, gz, md);
  const bytes = await io.read(gz);
  assert.deepEqual([bytes[0], bytes[1]], [0x1f, 0x8b]);
  assert.deepEqual(await readMetadataFile(io, gz), md);

  const other = { ...md, properties: { changed: 'yes' } };
  await rejectsCode(writeMetadataFile(io, plain, other), 'COMMIT_CONFLICT', true);
  assert.deepEqual((await readMetadataFile(io, plain)).properties, {});
});

test('commitMetadataChange creates, then commits with the metadata log, numbering files 00000, 00001, ...', async () => {
  const io = new MemoryFileIO();
  const updates = updatesForNewTable({ schema, location: LOC });
  const created = await commitMetadataChange(io, undefined, { requirements: [{ type: 'assert-create' }], updates }, { nowMs: NOW });
  assert.equal(NAME.exec(fileName(created.metadataLocation))?.[1], '00000');
  assert.deepEqual(await readMetadataFile(io, created.metadataLocation), created.metadata);
  assert.deepEqual(created.metadata['metadata-log'], []);
  assert.equal(created.metadata['last-updated-ms'], NOW);

  const next = await commitMetadataChange(
    io,
    created,
    {
      requirements: [{ type: 'assert-table-uuid', uuid: created.metadata['table-uuid'] }],
      updates: [{ action: 'set-properties', updates: { owner: 'me' } }],
    },
    { nowMs: NOW + 10n },
  );
  assert.equal(NAME.exec(fileName(next.metadataLocation))?.[1], '00001');
  assert.equal(next.metadata.properties.owner, 'me');
  assert.equal(next.metadata['last-updated-ms'], NOW + 10n);
  assert.deepEqual(next.metadata['metadata-log'], [{ 'timestamp-ms': NOW, 'metadata-file': created.metadataLocation }]);
  assert.deepEqual(await readMetadataFile(io, next.metadataLocation), next.metadata);
  // The previous file is left in place: the catalog's pointer swap decides which one is current.
  assert.deepEqual(await readMetadataFile(io, created.metadataLocation), created.metadata);
});

test('commitMetadataChange keeps previous-versions-max log entries over a chain of commits', async () => {
  const io = new MemoryFileIO();
  const updates = updatesForNewTable({ schema, location: LOC, properties: { 'write.metadata.previous-versions-max': '2' } });
  let cur: MetadataPointer = await commitMetadataChange(io, undefined, { requirements: [{ type: 'assert-create' }], updates });
  const locations = [cur.metadataLocation];
  for (let i = 0; i < 4; i++) {
    cur = await commitMetadataChange(io, cur, { requirements: [], updates: [{ action: 'set-properties', updates: { i: String(i) } }] });
    locations.push(cur.metadataLocation);
  }
  assert.deepEqual(locations.map((l) => NAME.exec(fileName(l))?.[1]), ['00000', '00001', '00002', '00003', '00004']);
  assert.deepEqual(cur.metadata['metadata-log'].map((e) => e['metadata-file']), locations.slice(2, 4));
  assert.equal((await io.list(`${LOC}/metadata`)).length, 5);
});

test('commitMetadataChange writes nothing when a requirement fails or nothing changes', async () => {
  const io = new MemoryFileIO();
  const created = await commitMetadataChange(io, undefined, {
    requirements: [{ type: 'assert-create' }],
    updates: updatesForNewTable({ schema, location: LOC }),
  });
  await rejectsCode(
    commitMetadataChange(io, created, {
      requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': 5 }],
      updates: [{ action: 'set-properties', updates: { a: 'b' } }],
    }),
    'COMMIT_CONFLICT',
    true,
  );
  await rejectsCode(
    commitMetadataChange(io, created, { requirements: [{ type: 'assert-create' }], updates: [] }),
    'COMMIT_CONFLICT',
    true,
  );
  const same = await commitMetadataChange(io, created, { requirements: [], updates: [{ action: 'remove-properties', removals: ['x'] }] });
  assert.equal(same.metadataLocation, created.metadataLocation);
  assert.deepEqual(await io.list(`${LOC}/metadata`), [fileName(created.metadataLocation)]);
  // A stale snapshot (sequence number not above the table's) is a retryable conflict, found before writing.
  await rejectsCode(
    commitMetadataChange(io, created, {
      requirements: [],
      updates: [
        {
          action: 'add-snapshot',
          snapshot: { 'snapshot-id': 1n, 'sequence-number': 0n, 'timestamp-ms': NOW, 'manifest-list': 'm', summary: { operation: 'append' } },
        },
      ],
    }),
    'COMMIT_CONFLICT',
    true,
  );
  assert.equal((await io.list(`${LOC}/metadata`)).length, 1);
});

test('commitMetadataChange without a table needs assert-create', async () => {
  const io = new MemoryFileIO();
  await rejectsCode(
    commitMetadataChange(io, undefined, { requirements: [], updates: updatesForNewTable({ schema, location: LOC }) }),
    'TABLE_NOT_FOUND',
  );
  await rejectsCode(
    commitMetadataChange(io, undefined, {
      requirements: [{ type: 'assert-create' }, { type: 'assert-current-schema-id', 'current-schema-id': 0 }],
      updates: updatesForNewTable({ schema, location: LOC }),
    }),
    'COMMIT_CONFLICT',
    true,
  );
});

test('metadataFilesToDelete lists files that left the log, only when delete-after-commit is on', () => {
  const base: TableMetadata = {
    ...table(),
    'metadata-log': [
      { 'timestamp-ms': 1n, 'metadata-file': 'a' },
      { 'timestamp-ms': 2n, 'metadata-file': 'b' },
    ],
  };
  const committed: TableMetadata = {
    ...base,
    'metadata-log': [
      { 'timestamp-ms': 2n, 'metadata-file': 'b' },
      { 'timestamp-ms': 3n, 'metadata-file': 'c' },
    ],
  };
  assert.deepEqual(metadataFilesToDelete(base, committed), []);
  const on = { ...committed, properties: { 'write.metadata.delete-after-commit.enabled': 'true' } };
  assert.deepEqual(metadataFilesToDelete(base, on), ['a']);
});
