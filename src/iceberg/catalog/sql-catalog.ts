/**
 * The SQL catalog: table pointers and namespace properties in two database tables, laid out exactly as Iceberg
 * Java's `JdbcCatalog` (`JdbcUtil`) and pyiceberg's `SqlCatalog` create them, so all three can share one database:
 *
 * - `iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, previous_metadata_location,
 *   iceberg_type)`, primary key on the first three; `iceberg_type` is `TABLE`, `VIEW` or NULL (the "V1" schema; a
 *   "V0" database without the column is used as it is, never altered).
 * - `iceberg_namespace_properties (catalog_name, namespace, property_key, property_value)`.
 *
 * Namespaces are stored dotted (`a.b`), so a level may not contain `.`. A namespace exists when it has a property
 * row or holds tables, at any depth below it (as in both references); creating one writes `exists = true` when no
 * properties are given, as they do.
 *
 * A commit writes the new metadata file, then moves the pointer with one conditional UPDATE
 * (`... WHERE metadata_location = <base>`): zero rows changed means another writer won, the file is deleted and the
 * commit fails with a retryable `COMMIT_CONFLICT` (spec "Optimistic Concurrency"; Java `JdbcTableOperations`).
 */
import { FloeError, isFloeError } from '../../errors.js';
import type { FileIO } from '../io/file-io.js';
import { joinPath } from '../io/file-io.js';
import { createFileIO, locationScheme, type CreateFileIOOptions } from '../io/file-io-for.js';
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
  checkPropertyChange,
  commitConflict,
  namespaceExistsError,
  namespaceNotEmpty,
  namespaceNotFound,
  tableExistsError,
  tableNotFound,
} from './catalog-errors.js';
import {
  checkIdentifier,
  checkNamespace,
  checkParentNamespace,
  childNamespaces,
  metastoreTableLocation,
  namespaceToString,
  type NameRules,
} from './catalog-identifiers.js';
import { commitMetadataChange, metadataFilesToDelete } from './metadata-files.js';
import { purgeTableFiles } from './purge-table.js';
import { isUniqueViolation, openSqlConnection, type SqlConnection, type SqlConnectionOptions } from './sql-catalog-dialect.js';
import { initCatalogTables } from './sql-catalog-schema.js';

/** Options of {@link SqlCatalog.open}. */
export interface SqlCatalogOptions {
  /** `sqlite:path`, `sqlite:///abs/path`, or `postgresql://user:pass@host:port/db`. */
  uri: string;
  /** Root of default table locations: a local path or `s3://bucket/prefix`. */
  warehouse?: string;
  /** FileIO for every table, or a function choosing one per location; by default chosen by location scheme. */
  io?: FileIO | ((location: string) => FileIO);
  /** Options for the FileIOs chosen by location (S3 endpoint, credentials). */
  fileIO?: CreateFileIOOptions;
  /** Create the catalog tables when missing (default true, as pyiceberg's `init_catalog_tables`). */
  initCatalogTables?: boolean;
  /** Driver settings (SQLite busy timeout, PostgreSQL pool). */
  connection?: SqlConnectionOptions;
}

const TABLE_RECORD = 'TABLE';
/** Namespace property that places a namespace's tables (pyiceberg `_get_default_warehouse_location`). */
const LOCATION_PROPERTY = 'location';
/** What a namespace created without properties records, so that it exists (pyiceberg, Java `JdbcCatalog`). */
const MINIMAL_PROPERTIES: Readonly<Record<string, string>> = Object.freeze({ exists: 'true' });
const NAME_RULES: NameRules = { forbidden: '.' };

/** `s` as a LIKE pattern matching itself, with `!` as the escape character (as both references escape). */
function likeLiteral(s: string): string {
  return s.replace(/[!%_]/g, (c) => `!${c}`);
}

/** A {@link Catalog} over a SQLite or PostgreSQL database. */
export class SqlCatalog implements Catalog {
  readonly name: string;
  private readonly db: SqlConnection;
  private readonly options: SqlCatalogOptions;
  /** Whether `iceberg_tables` has the `iceberg_type` column (Java's "V1" schema). */
  private readonly typed: boolean;
  private readonly ios = new Map<string, FileIO>();

  private constructor(name: string, db: SqlConnection, options: SqlCatalogOptions, typed: boolean) {
    this.name = name;
    this.db = db;
    this.options = options;
    this.typed = typed;
  }

  /**
   * Connects and makes sure the catalog tables exist. Throws `CATALOG_UNAVAILABLE` when the database cannot be
   * reached, `AUTH_FAILED` on bad credentials, `CONFIG_INVALID` for an unknown URI.
   */
  static async open(name: string, options: SqlCatalogOptions): Promise<SqlCatalog> {
    if (!name) throw new FloeError('CONFIG_INVALID', 'a SQL catalog needs a name (its catalog_name)');
    const db = await openSqlConnection(options.uri, options.connection);
    try {
      const typed = await initCatalogTables(db, options.initCatalogTables ?? true);
      return new SqlCatalog(name, db, options, typed);
    } catch (err) {
      await db.close().catch(() => {});
      throw err;
    }
  }

  async listNamespaces(parent: Namespace = []): Promise<Namespace[]> {
    checkParentNamespace(parent, NAME_RULES);
    if (parent.length > 0) await this.requireNamespace(parent);
    const like = parent.length > 0 ? `${likeLiteral(namespaceToString(parent))}.%` : '%';
    const rows = await this.db.query(
      'SELECT table_namespace AS ns FROM iceberg_tables WHERE catalog_name = ? AND table_namespace LIKE ? ESCAPE \'!\' ' +
        'UNION SELECT namespace AS ns FROM iceberg_namespace_properties WHERE catalog_name = ? AND namespace LIKE ? ESCAPE \'!\'',
      [this.name, like, this.name, like],
    );
    return childNamespaces(rows.map((r) => String(r.ns).split('.')), parent);
  }

  async createNamespace(namespace: Namespace, properties: Record<string, string> = {}): Promise<void> {
    checkNamespace(namespace, NAME_RULES);
    if (await this.namespaceExists(namespace)) throw namespaceExistsError(namespace);
    const props = Object.keys(properties).length > 0 ? properties : MINIMAL_PROPERTIES;
    const ns = namespaceToString(namespace);
    try {
      await this.db.batch(
        Object.entries(props).map(([k, v]) => ({
          sql: 'INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, property_value) VALUES (?, ?, ?, ?)',
          params: [this.name, ns, k, v],
        })),
      );
    } catch (err) {
      if (isUniqueViolation(err)) throw namespaceExistsError(namespace);
      throw err;
    }
  }

  async namespaceExists(namespace: Namespace): Promise<boolean> {
    checkNamespace(namespace, NAME_RULES);
    const ns = namespaceToString(namespace);
    const like = `${likeLiteral(ns)}.%`;
    for (const [table, column] of [
      ['iceberg_tables', 'table_namespace'],
      ['iceberg_namespace_properties', 'namespace'],
    ]) {
      const rows = await this.db.query(
        `SELECT 1 AS x FROM ${table} WHERE catalog_name = ? AND (${column} = ? OR ${column} LIKE ? ESCAPE '!') LIMIT 1`,
        [this.name, ns, like],
      );
      if (rows.length > 0) return true;
    }
    return false;
  }

  async loadNamespaceProperties(namespace: Namespace): Promise<Record<string, string>> {
    checkNamespace(namespace, NAME_RULES);
    await this.requireNamespace(namespace);
    return this.namespaceProperties(namespace);
  }

  async updateNamespaceProperties(
    namespace: Namespace,
    removals: string[],
    updates: Record<string, string>,
  ): Promise<void> {
    checkNamespace(namespace, NAME_RULES);
    checkPropertyChange(removals, updates);
    await this.requireNamespace(namespace);
    const ns = namespaceToString(namespace);
    const del = 'DELETE FROM iceberg_namespace_properties WHERE catalog_name = ? AND namespace = ? AND property_key = ?';
    // Delete-then-insert in one transaction: portable across SQLite and PostgreSQL where upsert syntax is not.
    await this.db.batch([
      ...[...removals, ...Object.keys(updates)].map((k) => ({ sql: del, params: [this.name, ns, k] })),
      ...Object.entries(updates).map(([k, v]) => ({
        sql: 'INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, property_value) VALUES (?, ?, ?, ?)',
        params: [this.name, ns, k, v],
      })),
    ]);
  }

  async dropNamespace(namespace: Namespace): Promise<void> {
    checkNamespace(namespace, NAME_RULES);
    await this.requireNamespace(namespace);
    const tables = await this.db.query(
      'SELECT 1 AS x FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? LIMIT 1',
      [this.name, namespaceToString(namespace)],
    );
    if (tables.length > 0) throw namespaceNotEmpty(namespace, 'tables');
    if ((await this.listNamespaces(namespace)).length > 0) throw namespaceNotEmpty(namespace, 'namespaces');
    await this.db.execute('DELETE FROM iceberg_namespace_properties WHERE catalog_name = ? AND namespace = ?', [
      this.name,
      namespaceToString(namespace),
    ]);
  }

  async listTables(namespace: Namespace): Promise<TableIdentifier[]> {
    checkNamespace(namespace, NAME_RULES);
    await this.requireNamespace(namespace);
    const rows = await this.db.query(
      `SELECT table_name FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ?${this.tableFilter()} ORDER BY table_name`,
      [this.name, namespaceToString(namespace)],
    );
    return rows.map((r) => ({ namespace: [...namespace], name: String(r.table_name) }));
  }

  async createTable(identifier: TableIdentifier, request: CreateTableRequest): Promise<CatalogTable> {
    checkIdentifier(identifier, NAME_RULES);
    await this.requireNamespace(identifier.namespace);
    if (await this.findTable(identifier)) throw tableExistsError(identifier);
    const location = (request.location ?? (await this.defaultLocation(identifier))).replace(/\/+$/, '');
    const updates = updatesForNewTable({ ...request, location });
    const created = await this.create(identifier, [{ type: 'assert-create' }], updates, location);
    return { identifier: copyId(identifier), ...created, io: this.ioFor(created.metadataLocation) };
  }

  async loadTable(identifier: TableIdentifier): Promise<CatalogTable> {
    checkIdentifier(identifier, NAME_RULES);
    const row = await this.findTable(identifier);
    if (!row?.metadataLocation) throw tableNotFound(identifier);
    const io = this.ioFor(row.metadataLocation);
    const metadata = await readTableMetadataFile(io, row.metadataLocation);
    return { identifier: copyId(identifier), metadataLocation: row.metadataLocation, metadata, io };
  }

  async tableExists(identifier: TableIdentifier): Promise<boolean> {
    checkIdentifier(identifier, NAME_RULES);
    return (await this.findTable(identifier)) !== undefined;
  }

  async renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    checkIdentifier(from, NAME_RULES);
    checkIdentifier(to, NAME_RULES);
    if (!(await this.findTable(from))) throw tableNotFound(from);
    await this.requireNamespace(to.namespace);
    let changed: number;
    try {
      changed = await this.db.execute(
        `UPDATE iceberg_tables SET table_namespace = ?, table_name = ? WHERE catalog_name = ? AND table_namespace = ? AND table_name = ?${this.tableFilter()}`,
        [namespaceToString(to.namespace), to.name, this.name, namespaceToString(from.namespace), from.name],
      );
    } catch (err) {
      // The primary key also covers views: renaming onto a view's name is refused the same way (Java does too).
      if (isUniqueViolation(err)) throw tableExistsError(to);
      throw err;
    }
    if (changed === 0) throw tableNotFound(from);
  }

  async dropTable(identifier: TableIdentifier, purge = false): Promise<void> {
    checkIdentifier(identifier, NAME_RULES);
    const where = `catalog_name = ? AND table_namespace = ? AND table_name = ?${this.tableFilter()}`;
    const key = [this.name, namespaceToString(identifier.namespace), identifier.name];
    for (;;) {
      const row = await this.findTable(identifier);
      if (!row) throw tableNotFound(identifier);
      const location = row.metadataLocation;
      // Read before unlinking: once the row is gone nothing names the files any more (Java reads first as well).
      const io = location ? this.ioFor(location) : undefined;
      const metadata = purge && io && location ? await readTableMetadataFile(io, location) : undefined;
      // Delete the row only as read: a commit landing meanwhile wrote files this purge must also cover.
      const changed = location
        ? await this.db.execute(`DELETE FROM iceberg_tables WHERE ${where} AND metadata_location = ?`, [...key, location])
        : await this.db.execute(`DELETE FROM iceberg_tables WHERE ${where} AND metadata_location IS NULL`, key);
      if (changed === 0) continue;
      if (metadata && io && location) await purgeTableFiles(io, metadata, location);
      return;
    }
  }

  async registerTable(identifier: TableIdentifier, metadataLocation: string): Promise<CatalogTable> {
    checkIdentifier(identifier, NAME_RULES);
    await this.requireNamespace(identifier.namespace);
    if (await this.findTable(identifier)) throw tableExistsError(identifier);
    const io = this.ioFor(metadataLocation);
    const metadata = await readTableMetadataFile(io, metadataLocation);
    await this.insertRow(identifier, metadataLocation);
    return { identifier: copyId(identifier), metadataLocation, metadata, io };
  }

  async commitTable(request: CommitTableRequest): Promise<CommitTableResponse> {
    const { identifier, requirements, updates } = request;
    checkIdentifier(identifier, NAME_RULES);
    const row = await this.findTable(identifier);
    if (!row?.metadataLocation) {
      // A commit asserting creation creates the table (REST create transactions; pyiceberg and Java do the same).
      if (row || !requirements.some((r) => r.type === 'assert-create')) throw tableNotFound(identifier);
      await this.requireNamespace(identifier.namespace);
      const location = updates.find((u) => u.action === 'set-location')?.location;
      return this.create(identifier, requirements, updates, location);
    }
    const baseLocation = row.metadataLocation;
    const io = this.ioFor(baseLocation);
    const base = { metadata: await readTableMetadataFile(io, baseLocation), metadataLocation: baseLocation };
    const next = await commitMetadataChange(io, base, { requirements, updates });
    if (next.metadataLocation === baseLocation) return next;
    let changed: number;
    try {
      changed = await this.db.execute(
        'UPDATE iceberg_tables SET metadata_location = ?, previous_metadata_location = ? ' +
          `WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND metadata_location = ?${this.tableFilter()}`,
        [next.metadataLocation, baseLocation, this.name, namespaceToString(identifier.namespace), identifier.name, baseLocation],
      );
    } catch (err) {
      throw await this.failedSwap(err, io, next.metadataLocation, identifier);
    }
    if (changed === 0) {
      await io.delete(next.metadataLocation);
      throw commitConflict(identifier);
    }
    // Best effort, after the swap: files that left the metadata log when the table asks for that.
    for (const f of metadataFilesToDelete(base.metadata, next.metadata)) await io.delete(f).catch(() => {});
    return next;
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  private async create(
    identifier: TableIdentifier,
    requirements: TableRequirement[],
    updates: TableUpdate[],
    location: string | undefined,
  ): Promise<{ metadata: TableMetadata; metadataLocation: string }> {
    const io = location === undefined ? this.defaultIO() : this.ioFor(location);
    const next = await commitMetadataChange(io, undefined, { requirements, updates });
    try {
      await this.insertRow(identifier, next.metadataLocation);
    } catch (err) {
      throw await this.failedSwap(err, io, next.metadataLocation, identifier);
    }
    return next;
  }

  /**
   * The error to throw when the pointer write failed, deleting the new metadata file unless the write may have
   * landed (a connection lost mid-statement: `COMMIT_STATE_UNKNOWN`, the file stays).
   */
  private async failedSwap(err: unknown, io: FileIO, written: string, identifier: TableIdentifier): Promise<unknown> {
    if (isFloeError(err, 'CATALOG_UNAVAILABLE') && err.context.maybeApplied === true) {
      return new FloeError('COMMIT_STATE_UNKNOWN', `commit to ${identifier.name}: lost the catalog database mid-commit`, {
        cause: err,
        context: { namespace: identifier.namespace, table: identifier.name, metadataLocation: written },
      });
    }
    await io.delete(written);
    return isUniqueViolation(err) ? tableExistsError(identifier) : err;
  }

  private async insertRow(identifier: TableIdentifier, metadataLocation: string): Promise<void> {
    const params = [this.name, namespaceToString(identifier.namespace), identifier.name, metadataLocation];
    try {
      await this.db.execute(
        this.typed
          ? 'INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, previous_metadata_location, iceberg_type) VALUES (?, ?, ?, ?, NULL, ?)'
          : 'INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, previous_metadata_location) VALUES (?, ?, ?, ?, NULL)',
        this.typed ? [...params, TABLE_RECORD] : params,
      );
    } catch (err) {
      if (isUniqueViolation(err)) throw tableExistsError(identifier);
      throw err;
    }
  }

  /** The row of a table (views excluded), or undefined. */
  private async findTable(identifier: TableIdentifier): Promise<{ metadataLocation: string | null } | undefined> {
    const rows = await this.db.query(
      `SELECT metadata_location FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND table_name = ?${this.tableFilter()}`,
      [this.name, namespaceToString(identifier.namespace), identifier.name],
    );
    if (rows.length === 0) return undefined;
    const loc = rows[0].metadata_location;
    return { metadataLocation: typeof loc === 'string' && loc !== '' ? loc : null };
  }

  /** Rows written by Java as views carry `iceberg_type = 'VIEW'`; tables carry `TABLE`, or NULL if written before V1. */
  private tableFilter(): string {
    return this.typed ? ` AND (iceberg_type = '${TABLE_RECORD}' OR iceberg_type IS NULL)` : '';
  }

  private async namespaceProperties(namespace: Namespace): Promise<Record<string, string>> {
    const rows = await this.db.query(
      'SELECT property_key, property_value FROM iceberg_namespace_properties WHERE catalog_name = ? AND namespace = ?',
      [this.name, namespaceToString(namespace)],
    );
    const out: Record<string, string> = {};
    for (const r of rows) out[String(r.property_key)] = r.property_value === null ? '' : String(r.property_value);
    return out;
  }

  private async requireNamespace(namespace: Namespace): Promise<void> {
    if (!(await this.namespaceExists(namespace))) throw namespaceNotFound(namespace);
  }

  private async defaultLocation(identifier: TableIdentifier): Promise<string> {
    const nsLocation = (await this.namespaceProperties(identifier.namespace))[LOCATION_PROPERTY];
    if (nsLocation) return joinPath(nsLocation, identifier.name);
    const warehouse = this.options.warehouse;
    if (!warehouse) {
      throw new FloeError('CONFIG_INVALID', `catalog ${this.name} has no warehouse: give one, or a table location`, {
        context: { catalog: this.name },
      });
    }
    return metastoreTableLocation(warehouse, identifier);
  }

  private defaultIO(): FileIO {
    return this.ioFor(this.options.warehouse ?? '.');
  }

  /** The FileIO for a location: the configured one, else one per URI scheme (LocalFileIO, S3FileIO, ...). */
  private ioFor(location: string): FileIO {
    const configured = this.options.io;
    if (configured !== undefined) return typeof configured === 'function' ? configured(location) : configured;
    const scheme = locationScheme(location) ?? 'file';
    let io = this.ios.get(scheme);
    if (io === undefined) {
      io = createFileIO(location, this.options.fileIO);
      this.ios.set(scheme, io);
    }
    return io;
  }
}

function copyId(id: TableIdentifier): TableIdentifier {
  return { namespace: [...id.namespace], name: id.name };
}
