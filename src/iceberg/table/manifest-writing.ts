/**
 * Writing manifests for a commit: a manifest of entries for one partition spec, with the manifest-list record that
 * points at it (counts, sequence numbers, partition field summaries for pruning; spec: "Manifest Lists").
 */
import { randomUUID } from 'node:crypto';
import { compareValues, isNaNValue } from '../expr/compare.js';
import { writeManifest, type ManifestEntry } from '../avro/manifest.js';
import type { FieldSummary, ManifestFile } from '../avro/manifest-list.js';
import type { FileIO } from '../io/file-io.js';
import { joinPath } from '../io/file-io.js';
import { serializeValue } from '../spec/bounds.js';
import { partitionFieldToJson, partitionType, type PartitionSpec } from '../spec/partition-spec.js';
import type { Schema } from '../spec/schema.js';
import { schemaToJson, type TableMetadata } from '../spec/table-metadata.js';
import { parsePrimitive, type Primitive, type PrimitiveValue } from '../spec/types.js';
import { stringifyJson } from '../../util/json.js';

/** Where new metadata files (manifests, lists) go: `write.metadata.path` or `<location>/metadata` (Appendix F). */
export function metadataDir(md: TableMetadata): string {
  const p = md.properties['write.metadata.path'];
  if (!p) return joinPath(md.location, 'metadata');
  return /^([a-z][a-z0-9+.-]*:|\/)/i.test(p) ? p : joinPath(md.location, p);
}

/** Where new data files go: `write.data.path` or `<location>/data` (Appendix F). */
export function dataDir(md: TableMetadata): string {
  const p = md.properties['write.data.path'];
  if (!p) return joinPath(md.location, 'data');
  return /^([a-z][a-z0-9+.-]*:|\/)/i.test(p) ? p : joinPath(md.location, p);
}

/** Partition fields of a spec with their result types, as the manifest writer needs them. */
export function partitionFieldsOf(
  spec: PartitionSpec,
  schema: Schema,
  history: readonly Schema[] = [],
): Array<{ fieldId: number; name: string; type: Primitive }> {
  const struct = partitionType(spec, schema, history);
  return struct.fields.map((f) => ({ fieldId: f.id, name: f.name, type: parsePrimitive(f.type as string) }));
}

/** Partition field summaries over the files of a manifest (lower/upper bounds serialized by result type). */
export function fieldSummaries(
  fields: Array<{ fieldId: number; type: Primitive }>,
  partitions: Array<Map<number, PrimitiveValue | null>>,
): FieldSummary[] {
  return fields.map((f) => {
    let containsNull = false;
    let containsNaN = false;
    let lo: PrimitiveValue | undefined;
    let hi: PrimitiveValue | undefined;
    for (const p of partitions) {
      const v = p.get(f.fieldId);
      if (v === null || v === undefined) {
        containsNull = true;
        continue;
      }
      if (isNaNValue(v)) {
        containsNaN = true;
        continue;
      }
      if (lo === undefined || (compareValues(v, lo) ?? 0) < 0) lo = v;
      if (hi === undefined || (compareValues(v, hi) ?? 0) > 0) hi = v;
    }
    const isFloat = f.type.kind === 'float' || f.type.kind === 'double';
    return {
      contains_null: containsNull,
      contains_nan: isFloat ? containsNaN : null,
      lower_bound: lo === undefined ? null : serializeValue(f.type, lo),
      upper_bound: hi === undefined ? null : serializeValue(f.type, hi),
    };
  });
}

/** Writes one manifest and returns its manifest-list record (sequence numbers filled by the caller per attempt). */
export async function writeManifestFile(
  io: FileIO,
  md: TableMetadata,
  spec: PartitionSpec,
  schema: Schema,
  entries: ManifestEntry[],
  content: 'data' | 'deletes',
  snapshotId: bigint,
): Promise<ManifestFile> {
  // An older spec may name a source column dropped since: its type comes from the table's older schemas.
  const fields = partitionFieldsOf(spec, schema, md.schemas);
  const bytes = writeManifest(entries, {
    formatVersion: Math.max(2, md['format-version']),
    schemaJson: stringifyJson(schemaToJson(schema)),
    specId: spec['spec-id'],
    specFieldsJson: stringifyJson(spec.fields.map(partitionFieldToJson)),
    partitionFields: fields,
    content,
  });
  const path = joinPath(metadataDir(md), `${randomUUID()}-m0.avro`);
  await io.write(path, bytes);
  const count = (status: number) => entries.filter((e) => e.status === status);
  const rows = (es: ManifestEntry[]) => es.reduce((s, e) => s + e.data_file.record_count, 0n);
  const live = entries.filter((e) => e.status !== 2);
  const seqs = entries.map((e) => e.sequence_number).filter((s): s is bigint => s !== null);
  return {
    manifest_path: path,
    manifest_length: BigInt(bytes.length),
    partition_spec_id: spec['spec-id'],
    content: content === 'data' ? 0 : 1,
    // Placeholders: the producer sets the commit's sequence number on every attempt (spec: inheritance).
    sequence_number: -1n,
    min_sequence_number: seqs.length > 0 ? seqs.reduce((a, b) => (a < b ? a : b)) : -1n,
    added_snapshot_id: snapshotId,
    added_files_count: count(1).length,
    existing_files_count: count(0).length,
    deleted_files_count: count(2).length,
    added_rows_count: rows(count(1)),
    existing_rows_count: rows(count(0)),
    deleted_rows_count: rows(count(2)),
    partitions: fieldSummaries(fields, live.map((e) => e.data_file.partition)),
  };
}
