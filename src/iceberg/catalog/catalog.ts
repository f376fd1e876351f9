/**
 * The Catalog interface: where tables are named and how their metadata pointer moves. Every implementation
 * (memory, sql on SQLite/PostgreSQL, hadoop, rest) passes one behaviour suite (test/iceberg/catalog/).
 *
 * Errors (FloeError codes): NAMESPACE_NOT_FOUND, NAMESPACE_ALREADY_EXISTS, NAMESPACE_NOT_EMPTY, TABLE_NOT_FOUND,
 * TABLE_ALREADY_EXISTS, COMMIT_CONFLICT (retryable: a requirement failed or another writer moved the pointer
 * first; nothing was committed), COMMIT_STATE_UNKNOWN (the commit may or may not have landed: keep written files),
 * CATALOG_UNAVAILABLE (cannot reach the catalog), AUTH_FAILED, INVALID_ARGUMENT (bad names).
 */
import type { FileIO } from '../io/file-io.js';
import type { PartitionSpec } from '../spec/partition-spec.js';
import type { Schema } from '../spec/schema.js';
import type { SortOrder } from '../spec/sort-order.js';
import type { TableMetadata } from '../spec/table-metadata.js';
import type { TableRequirement, TableUpdate } from '../spec/table-update.js';

/** A namespace: one or more levels (`['a', 'b']` is `a.b`). */
export type Namespace = string[];

/** A table's name within a catalog. */
export interface TableIdentifier {
  namespace: Namespace;
  name: string;
}

/** A table as a catalog returns it. */
export interface CatalogTable {
  identifier: TableIdentifier;
  metadataLocation: string;
  metadata: TableMetadata;
  /** The FileIO that reads and writes this table's files. */
  io: FileIO;
}

/** What creating a table needs. Ids in schema/spec/order are reassigned fresh as Iceberg does on create. */
export interface CreateTableRequest {
  schema: Schema;
  partitionSpec?: PartitionSpec;
  sortOrder?: SortOrder;
  properties?: Record<string, string>;
  /** Table location; default `<warehouse>/<ns path>/<name>`. */
  location?: string;
  /** 2 by default; 3 on request; 1 for compatibility. */
  formatVersion?: 1 | 2 | 3;
}

/** A commit: requirements checked against the current metadata, then updates applied. */
export interface CommitTableRequest {
  identifier: TableIdentifier;
  requirements: TableRequirement[];
  updates: TableUpdate[];
}

/** The result of a successful commit. */
export interface CommitTableResponse {
  metadataLocation: string;
  metadata: TableMetadata;
}

/** A catalog of Iceberg tables. */
export interface Catalog {
  /** The catalog's name (from configuration). */
  readonly name: string;
  listNamespaces(parent?: Namespace): Promise<Namespace[]>;
  createNamespace(namespace: Namespace, properties?: Record<string, string>): Promise<void>;
  namespaceExists(namespace: Namespace): Promise<boolean>;
  loadNamespaceProperties(namespace: Namespace): Promise<Record<string, string>>;
  updateNamespaceProperties(namespace: Namespace, removals: string[], updates: Record<string, string>): Promise<void>;
  /** Drops an empty namespace (NAMESPACE_NOT_EMPTY otherwise). */
  dropNamespace(namespace: Namespace): Promise<void>;
  listTables(namespace: Namespace): Promise<TableIdentifier[]>;
  createTable(identifier: TableIdentifier, request: CreateTableRequest): Promise<CatalogTable>;
  loadTable(identifier: TableIdentifier): Promise<CatalogTable>;
  tableExists(identifier: TableIdentifier): Promise<boolean>;
  renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void>;
  /** Removes the table from the catalog; with `purge`, also deletes its files. */
  dropTable(identifier: TableIdentifier, purge?: boolean): Promise<void>;
  /** Registers an existing metadata file as a table. */
  registerTable(identifier: TableIdentifier, metadataLocation: string): Promise<CatalogTable>;
  /** Atomically moves the table to new metadata. COMMIT_CONFLICT when a requirement fails or another writer won. */
  commitTable(request: CommitTableRequest): Promise<CommitTableResponse>;
  /** Releases connections. */
  close(): Promise<void>;
}
