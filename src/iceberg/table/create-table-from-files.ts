/**
 * Creating a table whose first snapshot appends data files that already exist (written with the table's field
 * ids): one manifest, one manifest list, `metadata/v1.metadata.json` and `version-hint.text`, the layout of a
 * file-system table (spec: "File System Tables"). It is what the quickstart and the benchmarks use until the
 * catalogs and the write path arrive; it refuses to overwrite an existing table.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { FloeError } from '../../errors.js';
import { EntryStatus, writeManifest, type DataFile, type ManifestEntry } from '../avro/manifest.js';
import { writeManifestList, type ManifestFile } from '../avro/manifest-list.js';
import type { FileIO } from '../io/file-io.js';
import { joinPath } from '../io/file-io.js';
import type { Schema } from '../spec/schema.js';
import { MAIN_BRANCH, type Snapshot } from '../spec/snapshot.js';
import { unsortedOrder } from '../spec/sort-order.js';
import { schemaToJson, serializeTableMetadata, type TableMetadata } from '../spec/table-metadata.js';
import { stringifyJson } from '../../util/json.js';

/** What {@link createTableFromFiles} needs. */
export interface CreateTableFromFilesOptions {
  /** Table directory. */
  location: string;
  schema: Schema;
  /** Data files to append, with paths as readers should see them. */
  files: DataFile[];
  properties?: Record<string, string>;
  /** Fixed ids make output byte-stable (benchmarks); random by default. */
  snapshotId?: bigint;
  tableUuid?: string;
}

/** A random positive 63-bit snapshot id, as Java draws them. */
export function newSnapshotId(): bigint {
  return randomBytes(8).readBigUInt64BE() & 0x7fff_ffff_ffff_ffffn;
}

function maxFieldId(schema: Schema): number {
  let max = 0;
  const visit = (t: unknown): void => {
    if (typeof t !== 'object' || t === null) return;
    const o = t as Record<string, unknown>;
    if (Array.isArray(o.fields)) {
      for (const f of o.fields as Array<{ id: number; type: unknown }>) {
        max = Math.max(max, f.id);
        visit(f.type);
      }
    }
    if (typeof o['element-id'] === 'number') max = Math.max(max, o['element-id'] as number);
    if (typeof o['key-id'] === 'number') max = Math.max(max, o['key-id'] as number, o['value-id'] as number);
    visit(o.element);
    visit(o.key);
    visit(o.value);
  };
  visit(schema);
  return max;
}

/** Writes a new unpartitioned v2 table with one append snapshot of `files`. Returns its metadata. */
export async function createTableFromFiles(io: FileIO, opts: CreateTableFromFilesOptions): Promise<TableMetadata> {
  const meta = joinPath(opts.location, 'metadata');
  const metadataPath = joinPath(meta, 'v1.metadata.json');
  if (await io.exists(metadataPath)) {
    throw new FloeError('INVALID_ARGUMENT', `a table already exists at ${opts.location}`, { context: { path: opts.location } });
  }
  const snapshotId = opts.snapshotId ?? newSnapshotId();
  const uuid = opts.tableUuid ?? randomUUID();
  const now = BigInt(Date.now());
  const seq = 1n;
  const totalRows = opts.files.reduce((s, f) => s + f.record_count, 0n);
  const totalBytes = opts.files.reduce((s, f) => s + f.file_size_in_bytes, 0n);

  // ADDED entries leave sequence numbers null: readers inherit them from the manifest list (spec: inheritance).
  const entries: ManifestEntry[] = opts.files.map((f) => ({
    status: EntryStatus.ADDED,
    snapshot_id: snapshotId,
    sequence_number: null,
    file_sequence_number: null,
    data_file: f,
  }));
  const manifestBytes = writeManifest(entries, {
    formatVersion: 2,
    schemaJson: stringifyJson(schemaToJson(opts.schema)),
    specId: 0,
    specFieldsJson: '[]',
    partitionFields: [],
    content: 'data',
  });
  const manifestPath = joinPath(meta, `${uuid}-m0.avro`);
  await io.write(manifestPath, manifestBytes);
  const manifest: ManifestFile = {
    manifest_path: manifestPath,
    manifest_length: BigInt(manifestBytes.length),
    partition_spec_id: 0,
    content: 0,
    sequence_number: seq,
    min_sequence_number: seq,
    added_snapshot_id: snapshotId,
    added_files_count: opts.files.length,
    existing_files_count: 0,
    deleted_files_count: 0,
    added_rows_count: totalRows,
    existing_rows_count: 0n,
    deleted_rows_count: 0n,
    partitions: [],
  };
  const listPath = joinPath(meta, `snap-${snapshotId}-1-${uuid}.avro`);
  await io.write(
    listPath,
    writeManifestList([manifest], { 'snapshot-id': snapshotId, 'parent-snapshot-id': null, 'sequence-number': seq, 'format-version': 2 }),
  );
  // Summary fields of spec Appendix F.
  const snapshot: Snapshot = {
    'snapshot-id': snapshotId,
    'sequence-number': seq,
    'timestamp-ms': now,
    'manifest-list': listPath,
    summary: {
      operation: 'append',
      'added-data-files': String(opts.files.length),
      'added-records': String(totalRows),
      'added-files-size': String(totalBytes),
      'total-data-files': String(opts.files.length),
      'total-records': String(totalRows),
      'total-files-size': String(totalBytes),
      'total-delete-files': '0',
      'total-position-deletes': '0',
      'total-equality-deletes': '0',
    },
    'schema-id': opts.schema['schema-id'],
  };
  const md: TableMetadata = {
    'format-version': 2,
    'table-uuid': uuid,
    location: opts.location,
    'last-sequence-number': seq,
    'last-updated-ms': now,
    'last-column-id': maxFieldId(opts.schema),
    schemas: [opts.schema],
    'current-schema-id': opts.schema['schema-id'],
    'partition-specs': [{ 'spec-id': 0, fields: [] }],
    'default-spec-id': 0,
    'last-partition-id': 999,
    properties: opts.properties ?? {},
    'current-snapshot-id': snapshotId,
    snapshots: [snapshot],
    'snapshot-log': [{ 'timestamp-ms': now, 'snapshot-id': snapshotId }],
    'metadata-log': [],
    'sort-orders': [unsortedOrder()],
    'default-sort-order-id': 0,
    refs: { [MAIN_BRANCH]: { 'snapshot-id': snapshotId, type: 'branch' } },
    statistics: [],
    'partition-statistics': [],
  };
  // The metadata file is written only if absent: two creators racing cannot both win (spec: "File System Tables").
  if (!(await io.writeIfAbsent(metadataPath, new TextEncoder().encode(serializeTableMetadata(md, 2))))) {
    throw new FloeError('COMMIT_CONFLICT', `another writer created ${metadataPath} first`, { context: { path: metadataPath } });
  }
  await io.write(joinPath(meta, 'version-hint.text'), new TextEncoder().encode('1'));
  return md;
}
