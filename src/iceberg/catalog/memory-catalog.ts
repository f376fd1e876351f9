/**
 * A catalog kept in process memory (Java `InMemoryCatalog`): namespaces and table pointers live in maps, table
 * metadata files are written through a FileIO (a private {@link MemoryFileIO} unless one is given). Useful for tests,
 * scratch work, and as the reference the behaviour suite holds the other catalogs to.
 *
 * Commits are compare-and-swap on the table's metadata location: the new metadata file is written first, then the
 * pointer moves only if it still names the base the commit started from (spec "Optimistic Concurrency").
 */
import type { FileIO } from '../io/file-io.js';
import { joinPath } from '../io/file-io.js';
import { MemoryFileIO } from '../io/memory-file-io.js';
import { updatesForNewTable } from '../spec/apply-updates.js';
import type { TableMetadata } from '../spec/table-metadata.js';
import type { TableRequirement, TableUpdate } from '../spec/table-update.js';
import { readTableMetadataFile } from '../table/table-files.js';
import type {
  Catalog,
  CatalogTable,
  CommitTableRequest,
  CommitTableResponse,
  CreateTableRequest,
  Namespace,
  TableIdentifier,
} from './catalog.js';
import {
  checkIdentifier,
  checkNamespace,
  checkParentNamespace,
  childNamespaces,
  isChildOf,
  metastoreTableLocation,
} from './catalog-identifiers.js';
import {
  checkPropertyChange,
  commitConflict,
  namespaceExistsError,
  namespaceNotEmpty,
  namespaceNotFound,
  tableExistsError,
  tableNotFound,
} from './catalog-errors.js';
import { commitMetadataChange, metadataFilesToDelete } from './metadata-files.js';
import { purgeTableFiles } from './purge-table.js';

/** Options of a {@link MemoryCatalog}. */
export interface MemoryCatalogOptions {
  /** Where table files go; a new {@link MemoryFileIO} by default. */
  io?: FileIO;
  /** Root of default table locations; `memory://<catalog name>` by default. */
  warehouse?: string;
}

interface TableEntry {
  identifier: TableIdentifier;
  metadataLocation: string;
}

const key = (levels: string[]): string => JSON.stringify(levels);
const tableKey = (id: TableIdentifier): string => key([...id.namespace, id.name]);

/** Namespace property that places a namespace's tables (pyiceberg and Java honour it when creating tables). */
const LOCATION_PROPERTY = 'location';

/** An in-memory {@link Catalog}. */
export class MemoryCatalog implements Catalog {
  readonly name: string;
  private readonly io: FileIO;
  private readonly warehouse: string;
  private readonly namespaces = new Map<string, { namespace: Namespace; properties: Record<string, string> }>();
  private readonly tables = new Map<string, TableEntry>();

  /** Creates an empty catalog. */
  constructor(name: string, options: MemoryCatalogOptions = {}) {
    this.name = name;
    this.io = options.io ?? new MemoryFileIO();
    this.warehouse = (options.warehouse ?? `memory://${name}`).replace(/\/+$/, '');
  }

  async listNamespaces(parent: Namespace = []): Promise<Namespace[]> {
    checkParentNamespace(parent);
    if (parent.length > 0) this.requireNamespace(parent);
    return childNamespaces([...this.namespaces.values()].map((n) => n.namespace), parent);
  }

  async createNamespace(namespace: Namespace, properties: Record<string, string> = {}): Promise<void> {
    checkNamespace(namespace);
    if (this.namespaces.has(key(namespace))) {
      throw namespaceExistsError(namespace);
    }
    this.namespaces.set(key(namespace), { namespace: [...namespace], properties: { ...properties } });
  }

  async namespaceExists(namespace: Namespace): Promise<boolean> {
    checkNamespace(namespace);
    return this.namespaces.has(key(namespace));
  }

  async loadNamespaceProperties(namespace: Namespace): Promise<Record<string, string>> {
    checkNamespace(namespace);
    return { ...this.requireNamespace(namespace).properties };
  }

  async updateNamespaceProperties(
    namespace: Namespace,
    removals: string[],
    updates: Record<string, string>,
  ): Promise<void> {
    checkNamespace(namespace);
    const entry = this.requireNamespace(namespace);
    checkPropertyChange(removals, updates);
    const next = { ...entry.properties };
    for (const k of removals) delete next[k];
    Object.assign(next, updates);
    entry.properties = next;
  }

  async dropNamespace(namespace: Namespace): Promise<void> {
    checkNamespace(namespace);
    this.requireNamespace(namespace);
    const hasTables = [...this.tables.values()].some((t) => key(t.identifier.namespace) === key(namespace));
    const hasChildren = [...this.namespaces.values()].some((n) => isChildOf(n.namespace, namespace));
    if (hasTables || hasChildren) {
      throw namespaceNotEmpty(namespace);
    }
    this.namespaces.delete(key(namespace));
  }

  async listTables(namespace: Namespace): Promise<TableIdentifier[]> {
    checkNamespace(namespace);
    this.requireNamespace(namespace);
    return [...this.tables.values()]
      .filter((t) => key(t.identifier.namespace) === key(namespace))
      .map((t) => ({ namespace: [...t.identifier.namespace], name: t.identifier.name }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async createTable(identifier: TableIdentifier, request: CreateTableRequest): Promise<CatalogTable> {
    checkIdentifier(identifier);
    const ns = this.requireNamespace(identifier.namespace);
    this.requireNoTable(identifier);
    const nsLocation = ns.properties[LOCATION_PROPERTY];
    const location = (
      request.location ??
      (nsLocation ? joinPath(nsLocation, identifier.name) : metastoreTableLocation(this.warehouse, identifier))
    ).replace(/\/+$/, '');
    const updates = updatesForNewTable({ ...request, location });
    const { metadata, metadataLocation } = await this.create(identifier, [{ type: 'assert-create' }], updates);
    return { identifier: copyId(identifier), metadata, metadataLocation, io: this.io };
  }

  async loadTable(identifier: TableIdentifier): Promise<CatalogTable> {
    checkIdentifier(identifier);
    const entry = this.requireTable(identifier);
    const metadataLocation = entry.metadataLocation;
    const metadata = await readTableMetadataFile(this.io, metadataLocation);
    return { identifier: copyId(entry.identifier), metadataLocation, metadata, io: this.io };
  }

  async tableExists(identifier: TableIdentifier): Promise<boolean> {
    checkIdentifier(identifier);
    return this.tables.has(tableKey(identifier));
  }

  async renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    checkIdentifier(from);
    checkIdentifier(to);
    const entry = this.requireTable(from);
    this.requireNamespace(to.namespace);
    this.requireNoTable(to);
    this.tables.delete(tableKey(from));
    this.tables.set(tableKey(to), { identifier: copyId(to), metadataLocation: entry.metadataLocation });
  }

  async dropTable(identifier: TableIdentifier, purge = false): Promise<void> {
    checkIdentifier(identifier);
    for (;;) {
      const entry = this.requireTable(identifier);
      // Entries are updated in place by commits: take the pointer now, and purge only what it names.
      const metadataLocation = entry.metadataLocation;
      // Read before unlinking: once the pointer is gone nothing names the files any more.
      const metadata = purge ? await readTableMetadataFile(this.io, metadataLocation) : undefined;
      // Committed to while the metadata was read: its newer files must be purged too, so look again.
      if (this.tables.get(tableKey(identifier)) !== entry || entry.metadataLocation !== metadataLocation) continue;
      this.tables.delete(tableKey(identifier));
      if (metadata) await purgeTableFiles(this.io, metadata, metadataLocation);
      return;
    }
  }

  async registerTable(identifier: TableIdentifier, metadataLocation: string): Promise<CatalogTable> {
    checkIdentifier(identifier);
    this.requireNamespace(identifier.namespace);
    this.requireNoTable(identifier);
    const metadata = await readTableMetadataFile(this.io, metadataLocation);
    this.requireNoTable(identifier);
    this.tables.set(tableKey(identifier), { identifier: copyId(identifier), metadataLocation });
    return { identifier: copyId(identifier), metadataLocation, metadata, io: this.io };
  }

  async commitTable(request: CommitTableRequest): Promise<CommitTableResponse> {
    const { identifier, requirements, updates } = request;
    checkIdentifier(identifier);
    const entry = this.tables.get(tableKey(identifier));
    if (entry === undefined) {
      // A commit that asserts creation creates the table (REST create transactions, pyiceberg `create_table_transaction`).
      if (!requirements.some((r) => r.type === 'assert-create')) throw tableNotFound(identifier);
      this.requireNamespace(identifier.namespace);
      return this.create(identifier, requirements, updates);
    }
    // Read the pointer once: another commit may move it while this one awaits the file read.
    const baseLocation = entry.metadataLocation;
    const base = { metadata: await readTableMetadataFile(this.io, baseLocation), metadataLocation: baseLocation };
    const next = await commitMetadataChange(this.io, base, { requirements, updates });
    if (next.metadataLocation === base.metadataLocation) return next;
    // The compare-and-swap: nothing may have moved the pointer while the new file was written.
    const now = this.tables.get(tableKey(identifier));
    if (now === undefined || now.metadataLocation !== base.metadataLocation) {
      await this.io.delete(next.metadataLocation);
      throw commitConflict(identifier);
    }
    now.metadataLocation = next.metadataLocation;
    // Best effort, after the swap: files that left the metadata log when the table asks for that.
    for (const f of metadataFilesToDelete(base.metadata, next.metadata)) await this.io.delete(f).catch(() => {});
    return next;
  }

  async close(): Promise<void> {}

  private async create(
    identifier: TableIdentifier,
    requirements: TableRequirement[],
    updates: TableUpdate[],
  ): Promise<{ metadata: TableMetadata; metadataLocation: string }> {
    const next = await commitMetadataChange(this.io, undefined, { requirements, updates });
    if (this.tables.has(tableKey(identifier))) {
      await this.io.delete(next.metadataLocation);
      throw tableExistsError(identifier);
    }
    this.tables.set(tableKey(identifier), { identifier: copyId(identifier), metadataLocation: next.metadataLocation });
    return next;
  }

  private requireNamespace(namespace: Namespace): { namespace: Namespace; properties: Record<string, string> } {
    const entry = this.namespaces.get(key(namespace));
    if (entry === undefined) {
      throw namespaceNotFound(namespace);
    }
    return entry;
  }

  private requireTable(identifier: TableIdentifier): TableEntry {
    const entry = this.tables.get(tableKey(identifier));
    if (entry === undefined) throw tableNotFound(identifier);
    return entry;
  }

  private requireNoTable(identifier: TableIdentifier): void {
    if (this.tables.has(tableKey(identifier))) throw tableExistsError(identifier);
  }
}

function copyId(id: TableIdentifier): TableIdentifier {
  return { namespace: [...id.namespace], name: id.name };
}
