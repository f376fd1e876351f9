/**
 * Reading the request bodies of the Iceberg REST catalog (open-api/rest-catalog-open-api.yaml in apache/iceberg):
 * `CommitTableRequest` with its `TableUpdate`s and `TableRequirement`s, and `CreateTableRequest`. This is the
 * server's half of `rest-json.ts` (used by floe's test server, and by a REST server later); 64-bit values come back
 * as `bigint` when the text was parsed with `parseJson`.
 *
 * Errors: malformed input is `METADATA_INVALID` (from the field readers, `context.field` names the field); an update
 * or requirement floe does not know is `INVALID_ARGUMENT` (the OpenAPI `updateTable` route: servers must answer 400
 * for unknown updates or requirements).
 */
import { FloeError } from '../../errors.js';
import { parsePartitionFields, parsePartitionSpec, type PartitionSpec } from '../spec/partition-spec.js';
import { parseSchema, type Schema } from '../spec/schema.js';
import { parseSortOrder, type SortOrder } from '../spec/sort-order.js';
import { parseSnapshot, parseSnapshotRef } from '../spec/snapshot.js';
import { parsePartitionStatisticsFile, parseStatisticsFile } from '../spec/table-metadata-parse.js';
import type { EncryptedKey, TableRequirement, TableUpdate } from '../spec/table-update.js';
// The REST `CreateTableRequest` has no format-version field: it travels as this reserved property (as in Java).
import { FORMAT_VERSION_PROPERTY } from '../spec/new-table-updates.js';
import {
  asObject,
  has,
  invalidField,
  missingField,
  optIntList,
  optLong,
  optString,
  optStringMap,
  reqArray,
  reqInt,
  reqLong,
  reqString,
  type JsonObject,
} from '../spec/json-fields.js';
import type { CreateTableRequest, TableIdentifier } from './catalog.js';
import { tableIdentifierFromJson } from './rest-json.js';

/** A REST `CreateTableRequest` as read by a server. */
export interface RestCreateTable {
  name: string;
  stageCreate: boolean;
  request: CreateTableRequest;
}

/**
 * Reads a REST `CreateTableRequest`. Ids the OpenAPI marks optional or read-only (`schema-id`, `spec-id`,
 * partition `field-id`, `order-id`) may be missing: creating a table assigns fresh ids anyway. A `format-version`
 * property becomes `formatVersion` and is removed from the properties.
 */
export function createTableRequestFromJson(json: unknown): RestCreateTable {
  const W = 'CreateTableRequest';
  const o = asObject(json, W);
  const name = reqString(o, 'name', W);
  if (!has(o, 'schema')) missingField(W, 'schema');
  const request: CreateTableRequest = { schema: parseSchema(o.schema, `${W}.schema`) };
  if (has(o, 'partition-spec')) {
    const spec = asObject(o['partition-spec'], `${W}.partition-spec`);
    request.partitionSpec = {
      'spec-id': has(spec, 'spec-id') ? reqInt(spec, 'spec-id', `${W}.partition-spec`) : 0,
      // Version-1 reading assigns missing field ids from 1000 on, as Java does for specs without ids.
      fields: parsePartitionFields(reqArray(spec, 'fields', `${W}.partition-spec`), `${W}.partition-spec.fields`, {
        formatVersion: 1,
      }),
    };
  }
  if (has(o, 'write-order')) request.sortOrder = readSortOrder(o['write-order'], `${W}.write-order`);
  const location = optString(o, 'location', W);
  if (location !== undefined) request.location = location;
  const properties = optStringMap(o, 'properties', W) ?? {};
  const version = properties[FORMAT_VERSION_PROPERTY];
  if (version !== undefined) {
    if (version !== '1' && version !== '2' && version !== '3') {
      throw new FloeError('INVALID_ARGUMENT', `${W}: unsupported format-version property ${JSON.stringify(version)}`, {
        context: { field: FORMAT_VERSION_PROPERTY },
      });
    }
    request.formatVersion = Number(version) as 1 | 2 | 3;
    delete properties[FORMAT_VERSION_PROPERTY];
  }
  request.properties = properties;
  return { name, stageCreate: o['stage-create'] === true, request };
}

/** Reads a REST `CommitTableRequest` (the identifier is optional on the table route). */
export function commitTableRequestFromJson(json: unknown): {
  identifier?: TableIdentifier;
  requirements: TableRequirement[];
  updates: TableUpdate[];
} {
  const W = 'CommitTableRequest';
  const o = asObject(json, W);
  const out: { identifier?: TableIdentifier; requirements: TableRequirement[]; updates: TableUpdate[] } = {
    requirements: reqArray(o, 'requirements', W).map((r, i) => tableRequirementFromJson(r, `${W}.requirements[${i}]`)),
    updates: reqArray(o, 'updates', W).map((u, i) => tableUpdateFromJson(u, `${W}.updates[${i}]`)),
  };
  if (has(o, 'identifier')) out.identifier = tableIdentifierFromJson(o.identifier, `${W}.identifier`);
  return out;
}

/** Reads one REST `TableRequirement`. */
export function tableRequirementFromJson(json: unknown, where = 'TableRequirement'): TableRequirement {
  const o = asObject(json, where);
  const type = reqString(o, 'type', where);
  switch (type) {
    case 'assert-create':
      return { type };
    case 'assert-table-uuid':
      return { type, uuid: reqString(o, 'uuid', where) };
    case 'assert-ref-snapshot-id':
      // Required but nullable: null asserts that the ref does not exist (OpenAPI `AssertRefSnapshotId`).
      if (!Object.prototype.hasOwnProperty.call(o, 'snapshot-id')) missingField(where, 'snapshot-id');
      return {
        type,
        ref: reqString(o, 'ref', where),
        'snapshot-id': o['snapshot-id'] === null ? null : reqLong(o, 'snapshot-id', where),
      };
    case 'assert-last-assigned-field-id':
      return { type, 'last-assigned-field-id': reqInt(o, 'last-assigned-field-id', where) };
    case 'assert-current-schema-id':
      return { type, 'current-schema-id': reqInt(o, 'current-schema-id', where) };
    case 'assert-last-assigned-partition-id':
      return { type, 'last-assigned-partition-id': reqInt(o, 'last-assigned-partition-id', where) };
    case 'assert-default-spec-id':
      return { type, 'default-spec-id': reqInt(o, 'default-spec-id', where) };
    case 'assert-default-sort-order-id':
      return { type, 'default-sort-order-id': reqInt(o, 'default-sort-order-id', where) };
    default:
      throw new FloeError('INVALID_ARGUMENT', `${where}: unknown requirement type ${JSON.stringify(type)}`, {
        context: { field: 'type', type },
      });
  }
}

/** Reads one REST `TableUpdate`. */
export function tableUpdateFromJson(json: unknown, where = 'TableUpdate'): TableUpdate {
  const o = asObject(json, where);
  const action = reqString(o, 'action', where);
  switch (action) {
    case 'assign-uuid':
      return { action, uuid: reqString(o, 'uuid', where) };
    case 'upgrade-format-version':
      return { action, 'format-version': reqInt(o, 'format-version', where) };
    case 'add-schema': {
      if (!has(o, 'schema')) missingField(where, 'schema');
      const u: TableUpdate = { action, schema: readSchema(o.schema, `${where}.schema`) };
      if (has(o, 'last-column-id')) u['last-column-id'] = reqInt(o, 'last-column-id', where);
      return u;
    }
    case 'set-current-schema':
      return { action, 'schema-id': reqInt(o, 'schema-id', where) };
    case 'add-spec':
      if (!has(o, 'spec')) missingField(where, 'spec');
      return { action, spec: readSpec(o.spec, `${where}.spec`) };
    case 'set-default-spec':
      return { action, 'spec-id': reqInt(o, 'spec-id', where) };
    case 'add-sort-order':
      if (!has(o, 'sort-order')) missingField(where, 'sort-order');
      return { action, 'sort-order': readSortOrder(o['sort-order'], `${where}.sort-order`) };
    case 'set-default-sort-order':
      return { action, 'sort-order-id': reqInt(o, 'sort-order-id', where) };
    case 'add-snapshot': {
      if (!has(o, 'snapshot')) missingField(where, 'snapshot');
      const snap = asObject(o.snapshot, `${where}.snapshot`);
      // Java leaves `sequence-number` out for v1 snapshots; read those with v1 rules (sequence number 0).
      return { action, snapshot: parseSnapshot(snap, `${where}.snapshot`, has(snap, 'sequence-number') ? 2 : 1) };
    }
    case 'set-snapshot-ref':
      return { action, 'ref-name': reqString(o, 'ref-name', where), ...parseSnapshotRef(o, where) };
    case 'remove-snapshots':
      return { action, 'snapshot-ids': readLongList(o, 'snapshot-ids', where) };
    case 'remove-snapshot-ref':
      return { action, 'ref-name': reqString(o, 'ref-name', where) };
    case 'set-location':
      return { action, location: reqString(o, 'location', where) };
    case 'set-properties':
      return { action, updates: optStringMap(o, 'updates', where) ?? missingField(where, 'updates') };
    case 'remove-properties':
      return { action, removals: readStringList(o, 'removals', where) };
    case 'set-statistics': {
      if (!has(o, 'statistics')) missingField(where, 'statistics');
      const u: TableUpdate = { action, statistics: parseStatisticsFile(o.statistics, `${where}.statistics`) };
      const id = optLong(o, 'snapshot-id', where);
      if (id !== undefined) u['snapshot-id'] = id;
      return u;
    }
    case 'remove-statistics':
      return { action, 'snapshot-id': reqLong(o, 'snapshot-id', where) };
    case 'set-partition-statistics':
      if (!has(o, 'partition-statistics')) missingField(where, 'partition-statistics');
      return {
        action,
        'partition-statistics': parsePartitionStatisticsFile(o['partition-statistics'], `${where}.partition-statistics`),
      };
    case 'remove-partition-statistics':
      return { action, 'snapshot-id': reqLong(o, 'snapshot-id', where) };
    case 'remove-partition-specs':
      return { action, 'spec-ids': optIntList(o, 'spec-ids', where) ?? missingField(where, 'spec-ids') };
    case 'remove-schemas':
      return { action, 'schema-ids': optIntList(o, 'schema-ids', where) ?? missingField(where, 'schema-ids') };
    case 'add-encryption-key': {
      const kw = `${where}.encryption-key`;
      if (!has(o, 'encryption-key')) missingField(where, 'encryption-key');
      const k = asObject(o['encryption-key'], kw);
      const key: EncryptedKey = {
        'key-id': reqString(k, 'key-id', kw),
        'encrypted-key-metadata': reqString(k, 'encrypted-key-metadata', kw),
      };
      const by = optString(k, 'encrypted-by-id', kw);
      if (by !== undefined) key['encrypted-by-id'] = by;
      const props = optStringMap(k, 'properties', kw);
      if (props !== undefined) key.properties = props;
      return { action, 'encryption-key': key };
    }
    case 'remove-encryption-key':
      return { action, 'key-id': reqString(o, 'key-id', where) };
    default:
      throw new FloeError('INVALID_ARGUMENT', `${where}: unknown or unsupported update ${JSON.stringify(action)}`, {
        context: { field: 'action', action },
      });
  }
}

/** OpenAPI `Schema`: `schema-id` is read-only there, so it may be absent (read as 0; add-schema assigns ids). */
function readSchema(json: unknown, where: string): Schema {
  return parseSchema(json, where);
}

/** OpenAPI `PartitionSpec`: `spec-id` is read-only there, so it may be absent (read as 0). */
function readSpec(json: unknown, where: string): PartitionSpec {
  const o = asObject(json, where);
  return parsePartitionSpec(has(o, 'spec-id') ? o : { ...o, 'spec-id': 0 }, where);
}

/** OpenAPI `SortOrder`; a missing `order-id` reads as 0 (unsorted) without fields and 1 with fields. */
function readSortOrder(json: unknown, where: string): SortOrder {
  const o = asObject(json, where);
  if (has(o, 'order-id')) return parseSortOrder(o, where);
  const fields = reqArray(o, 'fields', where);
  return parseSortOrder({ ...o, 'order-id': fields.length === 0 ? 0 : 1 }, where);
}

function readLongList(o: JsonObject, key: string, where: string): bigint[] {
  return reqArray(o, key, where).map((v, i) => reqLong({ v }, 'v', `${where}.${key}[${i}]`));
}

function readStringList(o: JsonObject, key: string, where: string): string[] {
  return reqArray(o, key, where).map((v, i) =>
    typeof v === 'string' ? v : invalidField(where, `${key}[${i}]`, 'a string', v),
  );
}
