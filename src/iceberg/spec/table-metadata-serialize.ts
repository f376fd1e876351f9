/**
 * Writing normalized {@link TableMetadata} back to the spec's JSON (Appendix C "Table Metadata and Snapshots").
 * 64-bit values are written as plain JSON integers (never strings, never rounded), so
 * `parseTableMetadata(serializeTableMetadata(md))` gives back `md`.
 */
import { stringifyJson } from '../../util/json.js';
import type { Schema } from './schema.js';
import { partitionFieldToJson, partitionSpecToJson } from './partition-spec.js';
import { sortOrderToJson } from './sort-order.js';
import { snapshotRefToJson, snapshotToJson } from './snapshot.js';
import type { PartitionStatisticsFile, StatisticsFile, TableMetadata } from './table-metadata.js';
import type { JsonObject } from './json-fields.js';

/**
 * Serializes table metadata to JSON text in the spec's shape for its `format-version`. `indent` pretty-prints.
 *
 * v1 tables also get the deprecated `schema` and `partition-spec` fields, which v1 readers require, and no
 * sequence numbers (Appendix E "Version 2": v1 writers must not write them).
 */
export function serializeTableMetadata(md: TableMetadata, indent?: number): string {
  if (indent !== undefined || md.snapshots.length < 16) return stringifyJson(tableMetadataToJson(md), indent);
  // Commits rewrite the whole file, and the snapshot list dominates it once a table has history. Snapshots never
  // change once made, and a commit's new metadata shares the snapshot objects of its base, so each snapshot's JSON
  // is kept and spliced in: a commit's cost stays flat as history grows.
  const json = tableMetadataToJson({ ...md, snapshots: [] });
  const hole = `__floe_snapshots_${Math.random().toString(36).slice(2)}`;
  json.snapshots = hole;
  const version = md['format-version'];
  const parts = md.snapshots.map((snap) => {
    const key = SNAPSHOT_JSON.get(snap);
    if (key !== undefined && key.version === version) return key.text;
    // Flatten the string lossless-json builds piece by piece, so joining a thousand of them stays cheap.
    const text = Buffer.from(stringifyJson(snapshotToJson(snap, version))).toString();
    SNAPSHOT_JSON.set(snap, { version, text });
    return text;
  });
  const head = stringifyJson(json);
  const at = head.indexOf(`"${hole}"`);
  return `${head.slice(0, at)}[${parts.join(',')}]${head.slice(at + hole.length + 2)}`;
}

/** Serialized snapshots, by snapshot object (snapshots are immutable once made). */
const SNAPSHOT_JSON = new WeakMap<object, { version: number; text: string }>();

/** The spec JSON object of table metadata, with bigint values, ready for `stringifyJson`. */
export function tableMetadataToJson(md: TableMetadata): JsonObject {
  const version = md['format-version'];
  const v1 = version === 1;
  const out: JsonObject = { 'format-version': version };
  if (!v1 || md['table-uuid'] !== '') out['table-uuid'] = md['table-uuid'];
  out.location = md.location;
  if (!v1) out['last-sequence-number'] = md['last-sequence-number'];
  out['last-updated-ms'] = md['last-updated-ms'];
  out['last-column-id'] = md['last-column-id'];
  if (v1) {
    const current = md.schemas.find((s) => s['schema-id'] === md['current-schema-id']);
    if (current !== undefined) out.schema = schemaToJson(current);
  }
  out['current-schema-id'] = md['current-schema-id'];
  out.schemas = md.schemas.map(schemaToJson);
  if (v1) {
    const spec = md['partition-specs'].find((s) => s['spec-id'] === md['default-spec-id']);
    if (spec !== undefined) out['partition-spec'] = spec.fields.map(partitionFieldToJson);
  }
  out['default-spec-id'] = md['default-spec-id'];
  out['partition-specs'] = md['partition-specs'].map(partitionSpecToJson);
  out['last-partition-id'] = md['last-partition-id'];
  out['default-sort-order-id'] = md['default-sort-order-id'];
  out['sort-orders'] = md['sort-orders'].map(sortOrderToJson);
  out.properties = md.properties;
  // Appendix F: Java wrote -1 for "no current snapshot" up to v2 (older readers expect it) and null from v3 on.
  out['current-snapshot-id'] = md['current-snapshot-id'] ?? (version >= 3 ? null : -1);
  out.refs = Object.fromEntries(Object.entries(md.refs).map(([name, ref]) => [name, snapshotRefToJson(ref)]));
  out.snapshots = md.snapshots.map((s) => snapshotToJson(s, version));
  out.statistics = md.statistics.map(statisticsFileToJson);
  out['partition-statistics'] = md['partition-statistics'].map(partitionStatisticsFileToJson);
  out['snapshot-log'] = md['snapshot-log'].map((e) => ({
    'timestamp-ms': e['timestamp-ms'],
    'snapshot-id': e['snapshot-id'],
  }));
  out['metadata-log'] = md['metadata-log'].map((e) => ({
    'timestamp-ms': e['timestamp-ms'],
    'metadata-file': e['metadata-file'],
  }));
  if (md['next-row-id'] !== undefined) out['next-row-id'] = md['next-row-id'];
  if (md['encryption-keys'] !== undefined) out['encryption-keys'] = md['encryption-keys'];
  return out;
}

/** The spec JSON of a schema (Appendix C "Schemas"). */
export function schemaToJson(schema: Schema): JsonObject {
  const out: JsonObject = { type: 'struct', 'schema-id': schema['schema-id'] };
  if (schema['identifier-field-ids'] !== undefined) out['identifier-field-ids'] = schema['identifier-field-ids'];
  out.fields = schema.fields;
  return out;
}

/** The spec JSON of a statistics file (spec "Table Statistics"; also the REST OpenAPI `StatisticsFile`). */
export function statisticsFileToJson(file: StatisticsFile): JsonObject {
  const out: JsonObject = {
    'snapshot-id': file['snapshot-id'],
    'statistics-path': file['statistics-path'],
    'file-size-in-bytes': file['file-size-in-bytes'],
    'file-footer-size-in-bytes': file['file-footer-size-in-bytes'],
  };
  if (file['key-metadata'] !== undefined) out['key-metadata'] = file['key-metadata'];
  out['blob-metadata'] = file['blob-metadata'].map((b) => {
    const blob: JsonObject = {
      type: b.type,
      'snapshot-id': b['snapshot-id'],
      'sequence-number': b['sequence-number'],
      fields: b.fields,
    };
    if (b.properties !== undefined) blob.properties = b.properties;
    return blob;
  });
  return out;
}

/** The spec JSON of a partition statistics file (spec "Partition Statistics"; also the REST `PartitionStatisticsFile`). */
export function partitionStatisticsFileToJson(file: PartitionStatisticsFile): JsonObject {
  return {
    'snapshot-id': file['snapshot-id'],
    'statistics-path': file['statistics-path'],
    'file-size-in-bytes': file['file-size-in-bytes'],
  };
}
