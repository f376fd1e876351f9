/**
 * Reading table metadata JSON (spec "Table Metadata", "Table Metadata Fields", Appendix C "Table Metadata and
 * Snapshots", Appendix E "Format version changes") into the normalized {@link TableMetadata}: v1's deprecated
 * single `schema` and `partition-spec` are lifted into lists with ids, missing v1 ids and sequence numbers get the
 * spec's defaults, and every 64-bit value becomes a `bigint`.
 */
import { FloeError } from '../../errors.js';
import { parseJson } from '../../util/json.js';
import { parseSchema, type Schema } from './schema.js';
import { lastAssignedFieldId, parsePartitionFields, parsePartitionSpec, type PartitionSpec } from './partition-spec.js';
import { parseSortOrder, unsortedOrder, type SortOrder } from './sort-order.js';
import {
  MAIN_BRANCH,
  parseMetadataLogEntry,
  parseSnapshot,
  parseSnapshotLogEntry,
  parseSnapshotRef,
  type SnapshotRef,
} from './snapshot.js';
import type { PartitionStatisticsFile, StatisticsFile, TableMetadata } from './table-metadata.js';
import {
  asObject,
  has,
  invalidField,
  missingField,
  optArray,
  optIntList,
  optLong,
  optString,
  optStringMap,
  reqArray,
  reqInt,
  reqLong,
  reqString,
  type JsonObject,
} from './json-fields.js';

/** Highest table format version floe reads. */
export const MAX_FORMAT_VERSION = 3;

const W = 'table metadata';

/**
 * Parses a table metadata JSON file (format versions 1 to 3) into normalized {@link TableMetadata}.
 *
 * Errors (all {@link FloeError}): `METADATA_INVALID` for text that is not JSON, a missing or malformed field
 * (`context.field` names it), or ids that do not resolve (current schema, default spec, default sort order,
 * current snapshot); `UNSUPPORTED` for a `format-version` above 3 (the spec: implementations must throw when a
 * table's version is higher than the supported version).
 */
export function parseTableMetadata(text: string): TableMetadata {
  let json: unknown;
  try {
    json = parseJson(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    throw new FloeError('METADATA_INVALID', `table metadata is not valid JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return tableMetadataFromJson(json);
}

/** Like {@link parseTableMetadata}, from already parsed JSON (output of `parseJson`: big integers as bigint). */
export function tableMetadataFromJson(json: unknown): TableMetadata {
  const o = asObject(json, W);
  const version = readFormatVersion(o);
  const v1 = version === 1;

  // Spec "Table Metadata Fields": `table-uuid` became required in v2. A v1 table without one reads as ''.
  const uuid = v1 ? (optString(o, 'table-uuid', W) ?? '') : reqString(o, 'table-uuid', W);
  const location = reqString(o, 'location', W);
  // Appendix E "Version 2": v1 has no sequence numbers; reading v1, `last-sequence-number` defaults to 0.
  const lastSequenceNumber = v1 ? 0n : reqLong(o, 'last-sequence-number', W);
  const lastUpdatedMs = reqLong(o, 'last-updated-ms', W);
  const lastColumnId = reqInt(o, 'last-column-id', W);

  const { schemas, currentSchemaId } = readSchemas(o, version);
  const { specs, defaultSpecId } = readSpecs(o, version);
  let lastPartitionId = has(o, 'last-partition-id') ? reqInt(o, 'last-partition-id', W) : undefined;
  if (lastPartitionId === undefined) {
    if (!v1) missingField(W, 'last-partition-id');
    // v1 may omit it: the highest field id of any spec, as the reference implementation computes it.
    lastPartitionId = Math.max(...specs.map(lastAssignedFieldId));
  }
  const { orders, defaultOrderId } = readSortOrders(o, version);

  const snapshots = (optArray(o, 'snapshots', W) ?? []).map((s, i) => {
    const snap = parseSnapshot(s, `${W}.snapshots[${i}]`, version);
    // v1 snapshots have no sequence number; they are all 0 (Appendix E "Version 2").
    if (v1) snap['sequence-number'] = 0n;
    return snap;
  });
  // Appendix F: Java wrote -1 for "no current snapshot" in v1 and v2; -1, null and absence all mean none.
  let currentSnapshotId = optLong(o, 'current-snapshot-id', W);
  if (currentSnapshotId === -1n) currentSnapshotId = undefined;
  if (currentSnapshotId !== undefined && !snapshots.some((s) => s['snapshot-id'] === currentSnapshotId)) {
    throw new FloeError('METADATA_INVALID', `${W}: current-snapshot-id ${currentSnapshotId} matches no snapshot`, {
      context: { field: 'current-snapshot-id', snapshotId: String(currentSnapshotId) },
    });
  }

  const md: TableMetadata = {
    'format-version': version,
    'table-uuid': uuid,
    location,
    'last-sequence-number': lastSequenceNumber,
    'last-updated-ms': lastUpdatedMs,
    'last-column-id': lastColumnId,
    schemas,
    'current-schema-id': currentSchemaId,
    'partition-specs': specs,
    'default-spec-id': defaultSpecId,
    'last-partition-id': lastPartitionId,
    properties: optStringMap(o, 'properties', W) ?? {},
    snapshots,
    'snapshot-log': (optArray(o, 'snapshot-log', W) ?? []).map((e, i) =>
      parseSnapshotLogEntry(e, `${W}.snapshot-log[${i}]`),
    ),
    'metadata-log': (optArray(o, 'metadata-log', W) ?? []).map((e, i) =>
      parseMetadataLogEntry(e, `${W}.metadata-log[${i}]`),
    ),
    'sort-orders': orders,
    'default-sort-order-id': defaultOrderId,
    refs: readRefs(o, currentSnapshotId),
    statistics: (optArray(o, 'statistics', W) ?? []).map((s, i) => parseStatisticsFile(s, `${W}.statistics[${i}]`)),
    'partition-statistics': (optArray(o, 'partition-statistics', W) ?? []).map((s, i) =>
      parsePartitionStatisticsFile(s, `${W}.partition-statistics[${i}]`),
    ),
  };
  if (currentSnapshotId !== undefined) md['current-snapshot-id'] = currentSnapshotId;
  if (version >= 3) {
    // The spec makes `next-row-id` required in v3, but some v3 writers omit it. Reading needs it only for row
    // lineage, so it stays absent rather than making the whole table unreadable; a writer must set it before
    // committing (spec "Row Lineage", "Snapshot Row IDs").
    const nextRowId = optLong(o, 'next-row-id', W);
    if (nextRowId !== undefined) md['next-row-id'] = nextRowId;
  }
  const keys = optArray(o, 'encryption-keys', W);
  if (keys !== undefined) md['encryption-keys'] = keys;
  return md;
}

function readFormatVersion(o: JsonObject): 1 | 2 | 3 {
  if (!has(o, 'format-version')) missingField(W, 'format-version');
  const v = o['format-version'];
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) {
    if (v === 1 || v === 2 || v === 3) return v;
    throw new FloeError(
      'UNSUPPORTED',
      `${W}: unsupported format-version ${v} (floe reads versions 1 to ${MAX_FORMAT_VERSION})`,
      { context: { field: 'format-version', formatVersion: String(v) } },
    );
  }
  return invalidField(W, 'format-version', 'an integer', v);
}

function readSchemas(o: JsonObject, version: number): { schemas: Schema[]; currentSchemaId: number } {
  let schemas: Schema[];
  let currentSchemaId: number;
  if (has(o, 'schemas')) {
    const list = reqArray(o, 'schemas', W);
    // As in the reference reader, `current-schema-id` is required whenever the `schemas` list is present.
    currentSchemaId = reqInt(o, 'current-schema-id', W);
    schemas = list.map((s, i) => parseSchema(s, `${W}.schemas[${i}]`, { requireSchemaId: version > 1 }));
  } else {
    if (version > 1) missingField(W, 'schemas');
    // v1: the deprecated single `schema` is the current and only schema (id 0 unless it carries one).
    if (!has(o, 'schema')) missingField(W, 'schema');
    const schema = parseSchema(o.schema, `${W}.schema`);
    schemas = [schema];
    currentSchemaId = schema['schema-id'];
  }
  if (!schemas.some((s) => s['schema-id'] === currentSchemaId)) {
    throw new FloeError('METADATA_INVALID', `${W}: current-schema-id ${currentSchemaId} matches no schema`, {
      context: { field: 'current-schema-id', schemaId: currentSchemaId },
    });
  }
  return { schemas, currentSchemaId };
}

function readSpecs(o: JsonObject, version: number): { specs: PartitionSpec[]; defaultSpecId: number } {
  let specs: PartitionSpec[];
  let defaultSpecId: number;
  if (has(o, 'partition-specs')) {
    const list = reqArray(o, 'partition-specs', W);
    defaultSpecId = reqInt(o, 'default-spec-id', W);
    specs = list.map((s, i) => parsePartitionSpec(s, `${W}.partition-specs[${i}]`, { formatVersion: version }));
  } else {
    if (version > 1) missingField(W, 'partition-specs');
    // v1: the deprecated `partition-spec` is a bare field list; it becomes spec 0, the default.
    const fields = parsePartitionFields(reqArray(o, 'partition-spec', W), `${W}.partition-spec`, {
      formatVersion: version,
    });
    specs = [{ 'spec-id': 0, fields }];
    defaultSpecId = 0;
  }
  if (!specs.some((s) => s['spec-id'] === defaultSpecId)) {
    throw new FloeError('METADATA_INVALID', `${W}: default-spec-id ${defaultSpecId} matches no partition spec`, {
      context: { field: 'default-spec-id', specId: defaultSpecId },
    });
  }
  return { specs, defaultSpecId };
}

function readSortOrders(o: JsonObject, version: number): { orders: SortOrder[]; defaultOrderId: number } {
  let orders: SortOrder[];
  let defaultOrderId: number;
  if (has(o, 'sort-orders')) {
    const list = reqArray(o, 'sort-orders', W);
    defaultOrderId = reqInt(o, 'default-sort-order-id', W);
    orders = list.map((s, i) => parseSortOrder(s, `${W}.sort-orders[${i}]`));
  } else {
    if (version > 1) missingField(W, 'sort-orders');
    // v1 tables written before sort orders existed are unsorted; order id 0 is reserved for that (spec "Sorting").
    orders = [unsortedOrder()];
    defaultOrderId = orders[0]['order-id'];
  }
  if (!orders.some((s) => s['order-id'] === defaultOrderId)) {
    throw new FloeError('METADATA_INVALID', `${W}: default-sort-order-id ${defaultOrderId} matches no sort order`, {
      context: { field: 'default-sort-order-id', orderId: defaultOrderId },
    });
  }
  return { orders, defaultOrderId };
}

function readRefs(o: JsonObject, currentSnapshotId: bigint | undefined): Record<string, SnapshotRef> {
  const refs: Record<string, SnapshotRef> = {};
  if (has(o, 'refs')) {
    for (const [name, ref] of Object.entries(asObject(o.refs, `${W}.refs`))) {
      refs[name] = parseSnapshotRef(ref, `${W}.refs.${name}`);
    }
  }
  // Spec "Table Metadata Fields", `refs`: there is always a `main` branch pointing to `current-snapshot-id`,
  // even when the map is missing.
  if (currentSnapshotId !== undefined && refs[MAIN_BRANCH] === undefined) {
    refs[MAIN_BRANCH] = { 'snapshot-id': currentSnapshotId, type: 'branch' };
  }
  return refs;
}

/** Reads a statistics file (spec "Table Statistics"; also the REST `StatisticsFile`); `where` names it in errors. */
export function parseStatisticsFile(json: unknown, where: string): StatisticsFile {
  const o = asObject(json, where);
  const file: StatisticsFile = {
    'snapshot-id': reqLong(o, 'snapshot-id', where),
    'statistics-path': reqString(o, 'statistics-path', where),
    'file-size-in-bytes': reqLong(o, 'file-size-in-bytes', where),
    'file-footer-size-in-bytes': reqLong(o, 'file-footer-size-in-bytes', where),
    'blob-metadata': reqArray(o, 'blob-metadata', where).map((b, i) => {
      const bw = `${where}.blob-metadata[${i}]`;
      const bo = asObject(b, bw);
      const blob: StatisticsFile['blob-metadata'][number] = {
        type: reqString(bo, 'type', bw),
        'snapshot-id': reqLong(bo, 'snapshot-id', bw),
        'sequence-number': reqLong(bo, 'sequence-number', bw),
        fields: optIntList(bo, 'fields', bw) ?? missingField(bw, 'fields'),
      };
      const props = optStringMap(bo, 'properties', bw);
      if (props !== undefined) blob.properties = props;
      return blob;
    }),
  };
  const keyMetadata = optString(o, 'key-metadata', where);
  if (keyMetadata !== undefined) file['key-metadata'] = keyMetadata;
  return file;
}

/**
 * Reads a partition statistics file (spec "Partition Statistics"; also the REST OpenAPI `PartitionStatisticsFile`);
 * `where` names it in errors.
 */
export function parsePartitionStatisticsFile(json: unknown, where: string): PartitionStatisticsFile {
  const o = asObject(json, where);
  return {
    'snapshot-id': reqLong(o, 'snapshot-id', where),
    'statistics-path': reqString(o, 'statistics-path', where),
    'file-size-in-bytes': reqLong(o, 'file-size-in-bytes', where),
  };
}
