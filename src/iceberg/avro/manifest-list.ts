/**
 * Manifest lists (spec: "Manifest Lists"): one `manifest_file` record per manifest of a snapshot, decoded by
 * field id so files from Java (v1 names such as `added_data_files_count`), pyiceberg and DuckDB all read alike.
 */
import { FloeError } from '../../errors.js';
import { readAvroContainer, writeAvroContainer } from './avro-container.js';
import { fieldById, indexFieldIds, type FieldIdIndex } from './field-ids.js';
import { manifestListSchema } from './manifest-schemas.js';

/** Manifest content: 0 = data files, 1 = delete files. */
export type ManifestContent = 0 | 1;

/** Partition field summary of a manifest (field 508). */
export interface FieldSummary {
  contains_null: boolean;
  contains_nan?: boolean | null;
  lower_bound?: Uint8Array | null;
  upper_bound?: Uint8Array | null;
}

/** A manifest list entry. 64-bit counters are bigint. */
export interface ManifestFile {
  manifest_path: string;
  manifest_length: bigint;
  partition_spec_id: number;
  content: ManifestContent;
  /** Sequence number of the commit that added the manifest; 0 for v1. */
  sequence_number: bigint;
  min_sequence_number: bigint;
  added_snapshot_id: bigint;
  added_files_count: number | null;
  existing_files_count: number | null;
  deleted_files_count: number | null;
  added_rows_count: bigint | null;
  existing_rows_count: bigint | null;
  deleted_rows_count: bigint | null;
  partitions?: FieldSummary[] | null;
  key_metadata?: Uint8Array | null;
  first_row_id?: bigint | null;
}

const toBig = (v: unknown): bigint | null => (v === null || v === undefined ? null : BigInt(v as number));
const toNum = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const toBytes = (v: unknown): Uint8Array | null => (v === null || v === undefined ? null : new Uint8Array(v as Buffer));

/** Decodes a manifest list file. Throws `AVRO_INVALID` when a required field is missing. */
export function readManifestList(bytes: Uint8Array, where = 'manifest list'): ManifestFile[] {
  const c = readAvroContainer(bytes, where);
  const idx = indexFieldIds(c.schema);
  if (!idx.has(500)) {
    throw new FloeError('AVRO_INVALID', `${where}: not a manifest list (no field id 500 manifest_path)`, {
      context: { path: where },
    });
  }
  const partitionsRef = idx.get(507);
  let summaryIdx: FieldIdIndex = new Map();
  if (partitionsRef) {
    const arr = Array.isArray(partitionsRef.schema)
      ? partitionsRef.schema.find((s) => s !== 'null')
      : partitionsRef.schema;
    if (arr && typeof arr === 'object' && !Array.isArray(arr)) summaryIdx = indexFieldIds(arr.items as never);
  }
  const formatVersion = Number(c.meta['format-version'] ?? (idx.has(517) ? 2 : 1));
  return c.records.map((r) => {
    const get = (id: number) => fieldById(r, idx, id);
    const path = get(500);
    if (typeof path !== 'string') {
      throw new FloeError('AVRO_INVALID', `${where}: manifest entry without manifest_path`, { context: { path: where } });
    }
    // v1 lists have no content or sequence numbers: data manifests at sequence number 0 (spec: "Sequence Numbers").
    const seq = toBig(get(515)) ?? 0n;
    const parts = get(507) as unknown[] | null | undefined;
    const mf: ManifestFile = {
      manifest_path: path,
      manifest_length: toBig(get(501)) ?? 0n,
      partition_spec_id: toNum(get(502)) ?? 0,
      content: (toNum(get(517)) ?? 0) as ManifestContent,
      sequence_number: seq,
      min_sequence_number: toBig(get(516)) ?? seq,
      added_snapshot_id: toBig(get(503)) ?? 0n,
      added_files_count: toNum(get(504)),
      existing_files_count: toNum(get(505)),
      deleted_files_count: toNum(get(506)),
      added_rows_count: toBig(get(512)),
      existing_rows_count: toBig(get(513)),
      deleted_rows_count: toBig(get(514)),
      partitions: parts
        ? parts.map((p) => ({
            contains_null: Boolean(fieldById(p, summaryIdx, 509)),
            contains_nan: (fieldById(p, summaryIdx, 518) as boolean | null | undefined) ?? null,
            lower_bound: toBytes(fieldById(p, summaryIdx, 510)),
            upper_bound: toBytes(fieldById(p, summaryIdx, 511)),
          }))
        : null,
      key_metadata: toBytes(get(519)),
    };
    if (formatVersion >= 3 || idx.has(520)) mf.first_row_id = toBig(get(520));
    return mf;
  });
}

/** Key-value metadata Java writes in a manifest list header. */
export interface ManifestListMeta {
  'snapshot-id': bigint;
  'parent-snapshot-id'?: bigint | null;
  'sequence-number': bigint;
  'format-version': number;
  'first-row-id'?: bigint;
}

/** Encodes a manifest list (format version 2 or 3). */
export function writeManifestList(manifests: ManifestFile[], meta: ManifestListMeta): Uint8Array {
  const kv: Record<string, string> = {
    'snapshot-id': meta['snapshot-id'].toString(),
    'parent-snapshot-id': meta['parent-snapshot-id'] == null ? 'null' : meta['parent-snapshot-id'].toString(),
    'sequence-number': meta['sequence-number'].toString(),
    'format-version': String(meta['format-version']),
  };
  if (meta['first-row-id'] !== undefined) kv['first-row-id'] = meta['first-row-id'].toString();
  const records = manifests.map((m) => ({
    manifest_path: m.manifest_path,
    manifest_length: m.manifest_length,
    partition_spec_id: m.partition_spec_id,
    content: m.content,
    sequence_number: m.sequence_number,
    min_sequence_number: m.min_sequence_number,
    added_snapshot_id: m.added_snapshot_id,
    added_files_count: m.added_files_count ?? 0,
    existing_files_count: m.existing_files_count ?? 0,
    deleted_files_count: m.deleted_files_count ?? 0,
    added_rows_count: m.added_rows_count ?? 0n,
    existing_rows_count: m.existing_rows_count ?? 0n,
    deleted_rows_count: m.deleted_rows_count ?? 0n,
    partitions: m.partitions
      ? m.partitions.map((p) => ({
          contains_null: p.contains_null,
          contains_nan: p.contains_nan ?? null,
          lower_bound: p.lower_bound ? Buffer.from(p.lower_bound) : null,
          upper_bound: p.upper_bound ? Buffer.from(p.upper_bound) : null,
        }))
      : null,
    key_metadata: m.key_metadata ? Buffer.from(m.key_metadata) : null,
    ...(meta['format-version'] >= 3 ? { first_row_id: m.first_row_id ?? null } : {}),
  }));
  return writeAvroContainer(manifestListSchema(meta['format-version']), records, { meta: kv });
}
