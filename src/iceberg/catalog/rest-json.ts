/**
 * The client's JSON of the Iceberg REST catalog (open-api/rest-catalog-open-api.yaml in apache/iceberg): writing
 * `TableUpdate`, `TableRequirement`, `CommitTableRequest` and `CreateTableRequest`, reading `LoadTableResult` and
 * identifiers. floe's wire types already use the spec's keys (ARCHITECTURE.md convention 5), so writing is mostly
 * re-keying through the spec serializers; 64-bit values stay `bigint` and are written as plain JSON integers by
 * `stringifyJson`. Reading request bodies (the server's side) is in `rest-request-json.ts`.
 *
 * Errors: a malformed response is `METADATA_INVALID` (from the field readers; `context.field` names the field).
 */
import { partitionSpecToJson } from '../spec/partition-spec.js';
import { sortOrderToJson } from '../spec/sort-order.js';
import { snapshotRefToJson, snapshotToJson } from '../spec/snapshot.js';
import { schemaToJson, tableMetadataFromJson, type TableMetadata } from '../spec/table-metadata.js';
import { partitionStatisticsFileToJson, statisticsFileToJson } from '../spec/table-metadata-serialize.js';
import type { TableRequirement, TableUpdate } from '../spec/table-update.js';
// The REST `CreateTableRequest` has no format-version field: it travels as this reserved property (as in Java).
import { FORMAT_VERSION_PROPERTY } from '../spec/new-table-updates.js';
import {
  asObject,
  has,
  invalidField,
  missingField,
  optString,
  optStringMap,
  reqArray,
  reqString,
  type JsonObject,
} from '../spec/json-fields.js';
import type { CommitTableRequest, CreateTableRequest, Namespace, TableIdentifier } from './catalog.js';

/** REST `TableIdentifier`. */
export function tableIdentifierToJson(id: TableIdentifier): JsonObject {
  return { namespace: [...id.namespace], name: id.name };
}

/** Reads a REST `Namespace` (a list of strings). */
export function namespaceFromJson(json: unknown, where: string): Namespace {
  if (!Array.isArray(json) || !json.every((l) => typeof l === 'string')) {
    return invalidField(where, 'namespace', 'a list of strings', json);
  }
  return [...(json as string[])];
}

/** Reads a REST `TableIdentifier`. */
export function tableIdentifierFromJson(json: unknown, where: string): TableIdentifier {
  const o = asObject(json, where);
  if (!has(o, 'namespace')) missingField(where, 'namespace');
  return { namespace: namespaceFromJson(o.namespace, where), name: reqString(o, 'name', where) };
}

/** REST `TableUpdate` JSON of an update. */
export function tableUpdateToJson(update: TableUpdate): JsonObject {
  switch (update.action) {
    case 'add-schema': {
      const out: JsonObject = { action: update.action, schema: schemaToJson(update.schema) };
      if (update['last-column-id'] !== undefined) out['last-column-id'] = update['last-column-id'];
      return out;
    }
    case 'add-spec':
      return { action: update.action, spec: partitionSpecToJson(update.spec) };
    case 'add-sort-order':
      return { action: update.action, 'sort-order': sortOrderToJson(update['sort-order']) };
    case 'add-snapshot':
      // The OpenAPI `Snapshot` carries `sequence-number`; it is written whatever the table's version (0 for v1).
      return { action: update.action, snapshot: snapshotToJson(update.snapshot, 2) };
    case 'set-snapshot-ref': {
      const { action, 'ref-name': refName, ...ref } = update;
      return { action, 'ref-name': refName, ...snapshotRefToJson(ref) };
    }
    case 'set-statistics': {
      const out: JsonObject = { action: update.action };
      if (update['snapshot-id'] !== undefined) out['snapshot-id'] = update['snapshot-id'];
      out.statistics = statisticsFileToJson(update.statistics);
      return out;
    }
    case 'set-partition-statistics':
      return {
        action: update.action,
        'partition-statistics': partitionStatisticsFileToJson(update['partition-statistics']),
      };
    default:
      // The remaining updates hold only scalars, lists and string maps under the spec's keys already.
      return { ...update };
  }
}

/** REST `TableRequirement` JSON of a requirement (`assert-ref-snapshot-id` keeps a `null` snapshot id). */
export function tableRequirementToJson(requirement: TableRequirement): JsonObject {
  return { ...requirement };
}

/** REST `CommitTableRequest` body. */
export function commitTableRequestToJson(request: CommitTableRequest): JsonObject {
  return {
    identifier: tableIdentifierToJson(request.identifier),
    requirements: request.requirements.map(tableRequirementToJson),
    updates: request.updates.map(tableUpdateToJson),
  };
}

/**
 * REST `CreateTableRequest` body. `formatVersion` travels as the `format-version` table property, which the
 * server turns into the table's version and does not store (spec "Table Metadata Fields": reserved properties).
 */
export function createTableRequestToJson(name: string, request: CreateTableRequest): JsonObject {
  const out: JsonObject = { name };
  if (request.location !== undefined) out.location = request.location;
  out.schema = schemaToJson(request.schema);
  if (request.partitionSpec !== undefined) out['partition-spec'] = partitionSpecToJson(request.partitionSpec);
  if (request.sortOrder !== undefined) out['write-order'] = sortOrderToJson(request.sortOrder);
  out['stage-create'] = false;
  const properties: Record<string, string> = { ...(request.properties ?? {}) };
  if (request.formatVersion !== undefined) properties[FORMAT_VERSION_PROPERTY] = String(request.formatVersion);
  out.properties = properties;
  return out;
}

/** A REST `StorageCredential`: storage configuration for locations under `prefix`. */
export interface RestStorageCredential {
  prefix: string;
  config: Record<string, string>;
}

/** A REST `LoadTableResult` (also the create and register responses). */
export interface RestLoadTableResult {
  /** `undefined` only for staged (uncommitted) creates. */
  metadataLocation: string | undefined;
  metadata: TableMetadata;
  config: Record<string, string>;
  storageCredentials: RestStorageCredential[];
}

/** Reads a REST `LoadTableResult`. */
export function loadTableResultFromJson(json: unknown): RestLoadTableResult {
  const W = 'LoadTableResult';
  const o = asObject(json, W);
  if (!has(o, 'metadata')) missingField(W, 'metadata');
  const creds = has(o, 'storage-credentials') ? reqArray(o, 'storage-credentials', W) : [];
  return {
    metadataLocation: optString(o, 'metadata-location', W),
    metadata: tableMetadataFromJson(o.metadata),
    config: optStringMap(o, 'config', W) ?? {},
    storageCredentials: creds.map((c, i) => {
      const cw = `${W}.storage-credentials[${i}]`;
      const co = asObject(c, cw);
      return { prefix: reqString(co, 'prefix', cw), config: optStringMap(co, 'config', cw) ?? missingField(cw, 'config') };
    }),
  };
}
