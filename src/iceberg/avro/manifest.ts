/**
 * Manifests (spec: "Manifests"): `manifest_entry` records that track data and delete files, decoded by field id.
 * Reading applies the spec's inheritance rules: an ADDED entry with a null snapshot id or sequence number takes
 * them from the manifest list entry that points at the manifest (spec: "Sequence Number Inheritance",
 * "Snapshot ID Inheritance"); v1 manifests have sequence number 0.
 */
import { FloeError } from '../../errors.js';
import type { Primitive, PrimitiveValue } from '../spec/types.js';
import { parsePrimitive } from '../spec/types.js';
import { readAvroContainer, writeAvroContainer, type AvroSchema } from './avro-container.js';
import { decodeIcebergMap, fieldById, indexFieldIds, nonNull } from './field-ids.js';
import { fromAvroValue, primitiveAvroSchema, toAvroValue } from './avro-values.js';
import { manifestEntrySchema } from './manifest-schemas.js';
import type { ManifestFile } from './manifest-list.js';

/** Entry status. */
export const EntryStatus = { EXISTING: 0, ADDED: 1, DELETED: 2 } as const;
/** File content kinds. */
export const FileContent = { DATA: 0, POSITION_DELETES: 1, EQUALITY_DELETES: 2 } as const;

/** A data or delete file (spec field `data_file`, id 2). 64-bit values are bigint. */
export interface DataFile {
  content: 0 | 1 | 2;
  file_path: string;
  /** Upper-case format name: `PARQUET`, `AVRO`, `ORC`, `PUFFIN`. */
  file_format: string;
  /** Partition tuple keyed by partition field id. */
  partition: Map<number, PrimitiveValue | null>;
  record_count: bigint;
  file_size_in_bytes: bigint;
  column_sizes?: Map<number, bigint>;
  value_counts?: Map<number, bigint>;
  null_value_counts?: Map<number, bigint>;
  nan_value_counts?: Map<number, bigint>;
  lower_bounds?: Map<number, Uint8Array>;
  upper_bounds?: Map<number, Uint8Array>;
  key_metadata?: Uint8Array | null;
  split_offsets?: bigint[] | null;
  equality_ids?: number[] | null;
  sort_order_id?: number | null;
  first_row_id?: bigint | null;
  referenced_data_file?: string | null;
  content_offset?: bigint | null;
  content_size_in_bytes?: bigint | null;
}

/** A manifest entry with inherited values already filled in. */
export interface ManifestEntry {
  status: 0 | 1 | 2;
  snapshot_id: bigint | null;
  /** Data sequence number. */
  sequence_number: bigint | null;
  file_sequence_number: bigint | null;
  data_file: DataFile;
}

/** A decoded manifest. */
export interface Manifest {
  /** Key-value metadata of the header (`schema`, `partition-spec`, `partition-spec-id`, `format-version`, `content`). */
  meta: Record<string, string>;
  entries: ManifestEntry[];
}

/** Context for decoding a manifest. */
export interface ReadManifestOptions {
  /** The manifest list entry pointing at this manifest, for inheritance. */
  manifestFile?: ManifestFile;
  /** Iceberg type of each partition field id; inferred from the Avro schema when absent. */
  partitionTypes?: Map<number, Primitive>;
}

function inferPrimitive(schema: AvroSchema): Primitive {
  const s = nonNull(schema);
  if (typeof s === 'string') {
    if (s === 'bytes') return { kind: 'binary' };
    return parsePrimitive(s === 'long' ? 'long' : s);
  }
  if (typeof s === 'object' && !Array.isArray(s)) {
    const lt = s.logicalType;
    if (lt === 'decimal') return { kind: 'decimal', precision: Number(s.precision), scale: Number(s.scale ?? 0) };
    if (lt === 'date') return { kind: 'date' };
    if (lt === 'uuid') return { kind: 'uuid' };
    if (lt === 'time-micros') return { kind: 'time' };
    if (lt === 'timestamp-micros') return { kind: s['adjust-to-utc'] ? 'timestamptz' : 'timestamp' };
    if (lt === 'timestamp-nanos') return { kind: s['adjust-to-utc'] ? 'timestamptz_ns' : 'timestamp_ns' };
    if (s.type === 'fixed') return { kind: 'fixed', length: Number(s.size) };
    if (typeof s.type === 'string') return inferPrimitive(s.type);
  }
  return { kind: 'binary' };
}

const big = (v: unknown): bigint | null => (v === null || v === undefined ? null : BigInt(v as number));
const int = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Decodes a manifest file. */
export function readManifest(bytes: Uint8Array, opts: ReadManifestOptions = {}, where = 'manifest'): Manifest {
  const c = readAvroContainer(bytes, where);
  const entryIdx = indexFieldIds(c.schema);
  const fileRef = entryIdx.get(2);
  if (!fileRef) {
    throw new FloeError('AVRO_INVALID', `${where}: not a manifest (no field id 2 data_file)`, { context: { path: where } });
  }
  const fileIdx = indexFieldIds(fileRef.schema);
  const partRef = fileIdx.get(102);
  const partIdx = partRef ? indexFieldIds(partRef.schema) : new Map();
  const partTypes = new Map<number, Primitive>();
  for (const [id, ref] of partIdx) partTypes.set(id, opts.partitionTypes?.get(id) ?? inferPrimitive(ref.schema));
  const mf = opts.manifestFile;
  const formatVersion = Number(c.meta['format-version'] ?? (fileIdx.has(134) ? 2 : 1));

  const entries = c.records.map((r): ManifestEntry => {
    const df = fieldById(r, entryIdx, 2) as Record<string, unknown>;
    const get = (id: number) => fieldById(df, fileIdx, id);
    const path = get(100);
    if (typeof path !== 'string') {
      throw new FloeError('AVRO_INVALID', `${where}: entry without file_path`, { context: { path: where } });
    }
    const partRec = get(102);
    const partition = new Map<number, PrimitiveValue | null>();
    for (const [id, t] of partTypes) partition.set(id, fromAvroValue(t, fieldById(partRec, partIdx, id)));
    const counts = (id: number) => decodeIcebergMap(get(id), (k, v) => [Number(k), BigInt(v as number)]);
    const bounds = (id: number) => decodeIcebergMap(get(id), (k, v) => [Number(k), new Uint8Array(v as Buffer)]);
    const file: DataFile = {
      content: (int(get(134)) ?? 0) as 0 | 1 | 2,
      file_path: path,
      file_format: String(get(101) ?? 'PARQUET').toUpperCase(),
      partition,
      record_count: big(get(103)) ?? 0n,
      file_size_in_bytes: big(get(104)) ?? 0n,
      column_sizes: counts(108),
      value_counts: counts(109),
      null_value_counts: counts(110),
      nan_value_counts: counts(137),
      lower_bounds: bounds(125),
      upper_bounds: bounds(128),
      key_metadata: get(131) ? new Uint8Array(get(131) as Buffer) : null,
      split_offsets: (get(132) as unknown[] | null | undefined)?.map((x) => BigInt(x as number)) ?? null,
      equality_ids: (get(135) as unknown[] | null | undefined)?.map(Number) ?? null,
      sort_order_id: int(get(140)),
      first_row_id: big(get(142)),
      referenced_data_file: (get(143) as string | null | undefined) ?? null,
      content_offset: big(get(144)),
      content_size_in_bytes: big(get(145)),
    };
    const status = Number(fieldById(r, entryIdx, 0)) as 0 | 1 | 2;
    let snapshotId = big(fieldById(r, entryIdx, 1));
    let seq = big(fieldById(r, entryIdx, 3));
    let fileSeq = big(fieldById(r, entryIdx, 4));
    if (formatVersion === 1) {
      // v1 has no sequence numbers: every file is at sequence number 0 (spec: "Sequence Numbers").
      seq = seq ?? 0n;
      fileSeq = fileSeq ?? 0n;
    }
    if (mf) {
      if (snapshotId === null) snapshotId = mf.added_snapshot_id;
      // Only ADDED entries inherit; EXISTING and DELETED entries must carry their own (spec: inheritance).
      if (status === EntryStatus.ADDED) {
        if (seq === null) seq = mf.sequence_number;
        if (fileSeq === null) fileSeq = mf.sequence_number;
      }
    }
    return { status, snapshot_id: snapshotId, sequence_number: seq, file_sequence_number: fileSeq, data_file: file };
  });
  return { meta: c.meta, entries };
}

/** What {@link writeManifest} needs besides the entries. */
export interface WriteManifestOptions {
  formatVersion: number;
  /** JSON of the table schema (Java writes it as `schema`). */
  schemaJson: string;
  /** Partition spec id and its fields JSON (`partition-spec`). */
  specId: number;
  specFieldsJson: string;
  /** Partition fields in spec order with their names and result types. */
  partitionFields: Array<{ fieldId: number; name: string; type: Primitive }>;
  content: 'data' | 'deletes';
}

const mapArray = <V>(m: Map<number, V> | undefined, conv: (v: V) => unknown) =>
  m ? [...m].map(([key, value]) => ({ key, value: conv(value) })) : null;

/** Encodes a manifest (format version 2 or 3) with the key-value metadata Java writes. */
export function writeManifest(entries: ManifestEntry[], opts: WriteManifestOptions): Uint8Array {
  const partFields = opts.partitionFields.map((f) => ({
    name: f.name,
    type: ['null', primitiveAvroSchema(f.type)],
    default: null,
    'field-id': f.fieldId,
  }));
  const v3 = opts.formatVersion >= 3;
  const records = entries.map((e) => {
    const f = e.data_file;
    const partition: Record<string, unknown> = {};
    for (const pf of opts.partitionFields) partition[pf.name] = toAvroValue(pf.type, f.partition.get(pf.fieldId) ?? null);
    return {
      status: e.status,
      snapshot_id: e.snapshot_id,
      sequence_number: e.sequence_number,
      file_sequence_number: e.file_sequence_number,
      data_file: {
        content: f.content,
        file_path: f.file_path,
        file_format: f.file_format,
        partition,
        record_count: f.record_count,
        file_size_in_bytes: f.file_size_in_bytes,
        column_sizes: mapArray(f.column_sizes, (v) => v),
        value_counts: mapArray(f.value_counts, (v) => v),
        null_value_counts: mapArray(f.null_value_counts, (v) => v),
        nan_value_counts: mapArray(f.nan_value_counts, (v) => v),
        lower_bounds: mapArray(f.lower_bounds, (v) => Buffer.from(v)),
        upper_bounds: mapArray(f.upper_bounds, (v) => Buffer.from(v)),
        key_metadata: f.key_metadata ? Buffer.from(f.key_metadata) : null,
        split_offsets: f.split_offsets ?? null,
        equality_ids: f.equality_ids ?? null,
        sort_order_id: f.sort_order_id ?? null,
        referenced_data_file: f.referenced_data_file ?? null,
        ...(v3
          ? {
              first_row_id: f.first_row_id ?? null,
              content_offset: f.content_offset ?? null,
              content_size_in_bytes: f.content_size_in_bytes ?? null,
            }
          : {}),
      },
    };
  });
  // Optional data_file fields that no entry sets are left out of the schema (see manifestEntrySchema).
  const set = new Set<string>();
  for (const r of records) {
    for (const [name, value] of Object.entries(r.data_file)) if (value !== null && value !== undefined) set.add(name);
  }
  const schema = manifestEntrySchema(opts.formatVersion, partFields, (name) => set.has(name));
  return writeAvroContainer(schema, records, {
    meta: {
      schema: opts.schemaJson,
      'partition-spec': opts.specFieldsJson,
      'partition-spec-id': String(opts.specId),
      'format-version': String(opts.formatVersion),
      content: opts.content,
    },
  });
}
