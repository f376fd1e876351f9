/**
 * Snapshots and snapshot references (spec: "Snapshots", "Snapshot References").
 * Snapshot ids are 64-bit: they are `bigint` everywhere in floe, so ids above 2^53 stay exact.
 */
import {
  asObject,
  has,
  invalidField,
  missingField,
  optArray,
  optInt,
  optLong,
  optString,
  optStringMap,
  reqLong,
  reqString,
  type JsonObject,
} from './json-fields.js';

/** A snapshot summary: `operation` plus string-valued metrics (spec Appendix F). */
export interface SnapshotSummary {
  operation: 'append' | 'replace' | 'overwrite' | 'delete' | string;
  [key: string]: string;
}

/** A snapshot in the spec's JSON shape, ids as bigint. */
export interface Snapshot {
  'snapshot-id': bigint;
  'parent-snapshot-id'?: bigint;
  /** v2+: required; v1: 0 when absent (spec: sequence numbers of v1 tables are 0). */
  'sequence-number': bigint;
  'timestamp-ms': bigint;
  /** Location of the manifest list; absent for v1 snapshots that list manifests inline. */
  'manifest-list'?: string;
  /** v1 only: manifest paths listed inline instead of a manifest list. */
  manifests?: string[];
  summary: SnapshotSummary;
  'schema-id'?: number;
  /** v3 row lineage. */
  'first-row-id'?: bigint;
  'added-rows'?: bigint;
  'key-id'?: string;
}

/** A named reference to a snapshot: a branch or a tag. */
export interface SnapshotRef {
  'snapshot-id': bigint;
  type: 'branch' | 'tag';
  'min-snapshots-to-keep'?: number;
  'max-snapshot-age-ms'?: bigint;
  'max-ref-age-ms'?: bigint;
}

/** An entry of the snapshot log. */
export interface SnapshotLogEntry {
  'timestamp-ms': bigint;
  'snapshot-id': bigint;
}

/** An entry of the metadata log. */
export interface MetadataLogEntry {
  'timestamp-ms': bigint;
  'metadata-file': string;
}

/** Name of the branch that `current-snapshot-id` tracks (spec "Table Metadata Fields", `refs`). */
export const MAIN_BRANCH = 'main';

/**
 * Operation assumed when a summary lacks `operation`: `overwrite` claims nothing about which files changed, so no
 * reader skips work it should do (the reference implementation makes the same choice).
 */
const FALLBACK_OPERATION = 'overwrite';

/**
 * Validates a snapshot from parsed metadata JSON (spec "Snapshots"; field requirements by `formatVersion`).
 * Throws `METADATA_INVALID` naming the missing or malformed field.
 *
 * Row-lineage fields (`first-row-id`, `added-rows`) are read when present but not demanded of v3 snapshots:
 * tables upgraded to v3 carry snapshots written before lineage existed.
 */
export function parseSnapshot(json: unknown, where: string, formatVersion: number): Snapshot {
  const o = asObject(json, where);
  const v1 = formatVersion === 1;
  const snap: Snapshot = {
    'snapshot-id': reqLong(o, 'snapshot-id', where),
    // Spec Appendix E "Version 2": snapshot `sequence-number` must default to 0 when reading v1 metadata.
    'sequence-number': v1 && !has(o, 'sequence-number') ? 0n : reqLong(o, 'sequence-number', where),
    'timestamp-ms': reqLong(o, 'timestamp-ms', where),
    summary: { operation: FALLBACK_OPERATION },
  };
  const parent = optLong(o, 'parent-snapshot-id', where);
  if (parent !== undefined) snap['parent-snapshot-id'] = parent;

  const manifestList = optString(o, 'manifest-list', where);
  const manifests = optArray(o, 'manifests', where);
  // v1 snapshots may list manifests inline instead of in a manifest list; from v2 the list is required.
  if (manifestList === undefined && (!v1 || manifests === undefined)) missingField(where, 'manifest-list');
  if (manifestList !== undefined) snap['manifest-list'] = manifestList;
  if (manifests !== undefined) {
    snap.manifests = manifests.map((m, i) =>
      typeof m === 'string' ? m : invalidField(where, `manifests[${i}]`, 'a string', m),
    );
  }

  const summary = optStringMap(o, 'summary', where);
  if (summary === undefined && !v1) missingField(where, 'summary');
  if (summary !== undefined) snap.summary = { ...summary, operation: summary.operation ?? FALLBACK_OPERATION };

  const schemaId = optInt(o, 'schema-id', where);
  if (schemaId !== undefined) snap['schema-id'] = schemaId;
  const firstRowId = optLong(o, 'first-row-id', where);
  if (firstRowId !== undefined) snap['first-row-id'] = firstRowId;
  const addedRows = optLong(o, 'added-rows', where);
  if (addedRows !== undefined) snap['added-rows'] = addedRows;
  const keyId = optString(o, 'key-id', where);
  if (keyId !== undefined) snap['key-id'] = keyId;
  return snap;
}

/**
 * The spec JSON of a snapshot. For v1 tables `sequence-number` is left out, as spec Appendix E "Version 2"
 * requires of v1 writers.
 */
export function snapshotToJson(snap: Snapshot, formatVersion: number): JsonObject {
  const out: JsonObject = { 'snapshot-id': snap['snapshot-id'] };
  if (snap['parent-snapshot-id'] !== undefined) out['parent-snapshot-id'] = snap['parent-snapshot-id'];
  if (formatVersion > 1) out['sequence-number'] = snap['sequence-number'];
  out['timestamp-ms'] = snap['timestamp-ms'];
  if (snap['manifest-list'] !== undefined) out['manifest-list'] = snap['manifest-list'];
  if (snap.manifests !== undefined) out.manifests = snap.manifests;
  out.summary = snap.summary;
  if (snap['schema-id'] !== undefined) out['schema-id'] = snap['schema-id'];
  if (snap['first-row-id'] !== undefined) out['first-row-id'] = snap['first-row-id'];
  if (snap['added-rows'] !== undefined) out['added-rows'] = snap['added-rows'];
  if (snap['key-id'] !== undefined) out['key-id'] = snap['key-id'];
  return out;
}

/** Validates a snapshot reference (spec "Snapshot References"). */
export function parseSnapshotRef(json: unknown, where: string): SnapshotRef {
  const o = asObject(json, where);
  const type = reqString(o, 'type', where);
  if (type !== 'branch' && type !== 'tag') invalidField(where, 'type', '"branch" or "tag"', type);
  const ref: SnapshotRef = { 'snapshot-id': reqLong(o, 'snapshot-id', where), type };
  const minKeep = optInt(o, 'min-snapshots-to-keep', where);
  if (minKeep !== undefined) ref['min-snapshots-to-keep'] = minKeep;
  const maxSnapAge = optLong(o, 'max-snapshot-age-ms', where);
  if (maxSnapAge !== undefined) ref['max-snapshot-age-ms'] = maxSnapAge;
  const maxRefAge = optLong(o, 'max-ref-age-ms', where);
  if (maxRefAge !== undefined) ref['max-ref-age-ms'] = maxRefAge;
  return ref;
}

/** The spec JSON of a snapshot reference. */
export function snapshotRefToJson(ref: SnapshotRef): JsonObject {
  const out: JsonObject = { 'snapshot-id': ref['snapshot-id'], type: ref.type };
  if (ref['min-snapshots-to-keep'] !== undefined) out['min-snapshots-to-keep'] = ref['min-snapshots-to-keep'];
  if (ref['max-snapshot-age-ms'] !== undefined) out['max-snapshot-age-ms'] = ref['max-snapshot-age-ms'];
  if (ref['max-ref-age-ms'] !== undefined) out['max-ref-age-ms'] = ref['max-ref-age-ms'];
  return out;
}

/** Validates a snapshot log entry. */
export function parseSnapshotLogEntry(json: unknown, where: string): SnapshotLogEntry {
  const o = asObject(json, where);
  return { 'timestamp-ms': reqLong(o, 'timestamp-ms', where), 'snapshot-id': reqLong(o, 'snapshot-id', where) };
}

/** Validates a metadata log entry. */
export function parseMetadataLogEntry(json: unknown, where: string): MetadataLogEntry {
  const o = asObject(json, where);
  return { 'timestamp-ms': reqLong(o, 'timestamp-ms', where), 'metadata-file': reqString(o, 'metadata-file', where) };
}
