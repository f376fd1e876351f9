/**
 * The file-system catalog (spec "File System Tables"; Java `HadoopCatalog`): the warehouse directory is the catalog.
 * A namespace is a directory `<warehouse>/<a>/<b>`, a table is a directory `<warehouse>/<a>/<b>/<table>` whose
 * `metadata/` holds `v<N>.metadata.json` files and a `version-hint.text` naming the current N.
 *
 * A commit creates `v<N+1>.metadata.json` only if absent: the file system's atomic create-if-absent is the
 * commit's compare-and-swap, so of several writers starting from vN exactly one wins and the others fail with a
 * retryable `COMMIT_CONFLICT` without having written anything. The version hint is rewritten afterwards on a best
 * effort basis: readers go on from the hint to any newer `v<N+1>` file, as Java's `HadoopTableOperations` does.
 *
 * Object stores have no atomic create-if-absent or rename on which this could rest (spec: file-system tables need
 * atomic rename), so an `s3://` (or any non-local) warehouse is refused with `UNSUPPORTED`: use the SQL or REST
 * catalog there. As in Java, namespaces carry no properties, tables cannot be renamed or registered, and dropping a
 * table deletes its directory (`purge` also deletes files the metadata names outside it).
 */
import { mkdir, readdir, rm, rmdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { FloeError, isFloeError } from '../../errors.js';
import type { FileIO } from '../io/file-io.js';
import { joinPath } from '../io/file-io.js';
import { locationScheme } from '../io/file-io-for.js';
import { LocalFileIO, toLocalPath } from '../io/local-file-io.js';
import {
  appendMetadataLog,
  applyUpdatesDetailed,
  checkRequirements,
  metadataFromUpdates,
  updatesForNewTable,
} from '../spec/apply-updates.js';
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
  commitConflict,
  namespaceExistsError,
  namespaceNotEmpty,
  namespaceNotFound,
  tableExistsError,
  tableNotFound,
} from './catalog-errors.js';
import { checkIdentifier, checkNamespace, checkParentNamespace, identifierToString, type NameRules } from './catalog-identifiers.js';
import { gzipMetadata, metadataFilesToDelete, writeMetadataFile } from './metadata-files.js';
import { purgeTableFiles } from './purge-table.js';

/** Options of a {@link HadoopCatalog}. */
export interface HadoopCatalogOptions {
  /** The warehouse directory: a local path or `file:` URI. */
  warehouse: string;
}

const NAME_RULES: NameRules = { pathSafe: true };
const VERSION_HINT = 'version-hint.text';
/** `v<N>.metadata.json` and the gzip form `v<N>.gz.metadata.json` (Java `HadoopTableOperations`). */
const VERSION_FILE = /^v(\d+)(\.gz)?\.metadata\.json$/;

interface Current {
  version: number;
  metadataLocation: string;
  metadata: TableMetadata;
}

/** A {@link Catalog} over a local warehouse directory. */
export class HadoopCatalog implements Catalog {
  readonly name: string;
  private readonly io: FileIO = new LocalFileIO();
  /** The warehouse as locations in metadata spell it (absolute; `file:` kept when given). */
  private readonly warehouse: string;

  /** Throws `UNSUPPORTED` for a warehouse on an object store (no atomic create-if-absent there). */
  constructor(name: string, options: HadoopCatalogOptions) {
    const wh = options.warehouse;
    if (!wh) throw new FloeError('CONFIG_INVALID', `hadoop catalog ${name} needs a warehouse directory`);
    const scheme = locationScheme(wh);
    if (scheme !== undefined && scheme !== 'file') {
      throw new FloeError(
        'UNSUPPORTED',
        `the hadoop catalog cannot run on ${scheme}:// storage: its commits need an atomic create-if-absent or rename, which object stores do not offer; use the sql or rest catalog for ${wh}`,
        { context: { warehouse: wh, scheme } },
      );
    }
    this.name = name;
    this.warehouse = (scheme === 'file' ? wh : resolve(wh)).replace(/(?<=.)\/+$/, '');
  }

  async listNamespaces(parent: Namespace = []): Promise<Namespace[]> {
    checkParentNamespace(parent, NAME_RULES);
    if (parent.length > 0) await this.requireNamespace(parent);
    const out: Namespace[] = [];
    for (const d of await this.subdirectories(this.path(parent))) {
      if (!(await this.isTableDir(joinPath(this.path(parent), d)))) out.push([...parent, d]);
    }
    return out;
  }

  async createNamespace(namespace: Namespace, properties: Record<string, string> = {}): Promise<void> {
    checkNamespace(namespace, NAME_RULES);
    if (Object.keys(properties).length > 0) throw noProperties(namespace);
    const dir = this.local(this.path(namespace));
    if (await exists(dir)) throw namespaceExistsError(namespace);
    await mkdir(dir, { recursive: true });
  }

  async namespaceExists(namespace: Namespace): Promise<boolean> {
    checkNamespace(namespace, NAME_RULES);
    const dir = this.path(namespace);
    return (await isDirectory(this.local(dir))) && !(await this.isTableDir(dir));
  }

  /** Only `location`, the namespace's directory (as Java's `loadNamespaceMetadata`). */
  async loadNamespaceProperties(namespace: Namespace): Promise<Record<string, string>> {
    checkNamespace(namespace, NAME_RULES);
    await this.requireNamespace(namespace);
    return { location: this.path(namespace) };
  }

  async updateNamespaceProperties(namespace: Namespace): Promise<void> {
    checkNamespace(namespace, NAME_RULES);
    throw noProperties(namespace);
  }

  async dropNamespace(namespace: Namespace): Promise<void> {
    checkNamespace(namespace, NAME_RULES);
    await this.requireNamespace(namespace);
    const dir = this.local(this.path(namespace));
    if ((await readdir(dir)).length > 0) throw namespaceNotEmpty(namespace);
    try {
      await rmdir(dir);
    } catch (err) {
      // Something appeared since the listing: still not empty.
      if ((err as NodeJS.ErrnoException).code === 'ENOTEMPTY') throw namespaceNotEmpty(namespace);
      throw err;
    }
  }

  async listTables(namespace: Namespace): Promise<TableIdentifier[]> {
    checkNamespace(namespace, NAME_RULES);
    await this.requireNamespace(namespace);
    const out: TableIdentifier[] = [];
    for (const d of await this.subdirectories(this.path(namespace))) {
      if (await this.isTableDir(joinPath(this.path(namespace), d))) out.push({ namespace: [...namespace], name: d });
    }
    return out;
  }

  async createTable(identifier: TableIdentifier, request: CreateTableRequest): Promise<CatalogTable> {
    checkIdentifier(identifier, NAME_RULES);
    const location = this.tableLocation(identifier);
    if (request.location !== undefined && request.location.replace(/\/+$/, '') !== location) {
      throw new FloeError('UNSUPPORTED', `hadoop catalog tables live at ${location}; a custom location is not possible`, {
        context: { location: request.location },
      });
    }
    const updates = updatesForNewTable({ ...request, location });
    const created = await this.create(identifier, [{ type: 'assert-create' }], updates);
    return { identifier: copyId(identifier), metadataLocation: created.metadataLocation, metadata: created.metadata, io: this.io };
  }

  async loadTable(identifier: TableIdentifier): Promise<CatalogTable> {
    checkIdentifier(identifier, NAME_RULES);
    const cur = await this.current(identifier);
    if (cur === undefined) throw tableNotFound(identifier);
    return { identifier: copyId(identifier), metadataLocation: cur.metadataLocation, metadata: cur.metadata, io: this.io };
  }

  async tableExists(identifier: TableIdentifier): Promise<boolean> {
    checkIdentifier(identifier, NAME_RULES);
    return this.isTableDir(this.tableLocation(identifier));
  }

  async renameTable(from: TableIdentifier): Promise<void> {
    throw new FloeError('UNSUPPORTED', `hadoop catalog tables cannot be renamed: their location is their name (${identifierToString(from)})`);
  }

  async dropTable(identifier: TableIdentifier, purge = false): Promise<void> {
    checkIdentifier(identifier, NAME_RULES);
    const cur = await this.current(identifier);
    if (cur === undefined) throw tableNotFound(identifier);
    if (purge) await purgeTableFiles(this.io, cur.metadata, cur.metadataLocation);
    await rm(this.local(this.tableLocation(identifier)), { recursive: true, force: true });
  }

  async registerTable(identifier: TableIdentifier): Promise<CatalogTable> {
    throw new FloeError('UNSUPPORTED', `hadoop catalog tables cannot be registered: a table is its directory (${identifierToString(identifier)})`);
  }

  async commitTable(request: CommitTableRequest): Promise<CommitTableResponse> {
    const { identifier, requirements, updates } = request;
    checkIdentifier(identifier, NAME_RULES);
    const cur = await this.current(identifier);
    if (cur === undefined) {
      if (!requirements.some((r) => r.type === 'assert-create')) throw tableNotFound(identifier);
      return this.create(identifier, requirements, updates);
    }
    checkRequirements(cur.metadata, requirements);
    const applied = applyUpdatesDetailed(cur.metadata, updates);
    if (!applied.changed) return { metadata: cur.metadata, metadataLocation: cur.metadataLocation };
    if (applied.metadata.location.replace(/\/+$/, '') !== this.tableLocation(identifier)) {
      throw new FloeError('UNSUPPORTED', 'hadoop catalog tables cannot move: their location is their name');
    }
    const metadata = appendMetadataLog(cur.metadata, cur.metadataLocation, applied.metadata);
    const metadataLocation = await this.writeVersion(identifier, cur.version + 1, metadata);
    for (const f of metadataFilesToDelete(cur.metadata, metadata)) await this.io.delete(f).catch(() => {});
    return { metadata, metadataLocation };
  }

  async close(): Promise<void> {}

  private async create(
    identifier: TableIdentifier,
    requirements: TableRequirement[],
    updates: TableUpdate[],
  ): Promise<CommitTableResponse> {
    await this.requireNamespace(identifier.namespace);
    const location = this.tableLocation(identifier);
    if (await this.isTableDir(location)) throw tableExistsError(identifier);
    if (await exists(this.local(location))) {
      throw new FloeError('TABLE_ALREADY_EXISTS', `${identifierToString(identifier)} names an existing namespace directory`, {
        context: { namespace: identifier.namespace, table: identifier.name },
      });
    }
    checkRequirements(undefined, requirements);
    const metadata = metadataFromUpdates(updates);
    if (metadata.location.replace(/\/+$/, '') !== location) {
      throw new FloeError('UNSUPPORTED', `hadoop catalog tables live at ${location}; a custom location is not possible`);
    }
    try {
      return { metadata, metadataLocation: await this.writeVersion(identifier, 1, metadata) };
    } catch (err) {
      // Another creator wrote v1 first.
      if (isFloeError(err, 'COMMIT_CONFLICT')) throw tableExistsError(identifier);
      throw err;
    }
  }

  /** Writes `v<version>.metadata.json` if absent (else `COMMIT_CONFLICT`), then the version hint, best effort. */
  private async writeVersion(identifier: TableIdentifier, version: number, metadata: TableMetadata): Promise<string> {
    const gzip = gzipMetadata(metadata);
    const metaDir = joinPath(this.tableLocation(identifier), 'metadata');
    const file = joinPath(metaDir, `v${version}${gzip ? '.gz' : ''}.metadata.json`);
    const other = joinPath(metaDir, `v${version}${gzip ? '' : '.gz'}.metadata.json`);
    // The other spelling of the same version would be a second v<N>: treat it as the race it is.
    if (await this.io.exists(other)) throw commitConflict(identifier);
    try {
      await writeMetadataFile(this.io, file, metadata);
    } catch (err) {
      if (isFloeError(err, 'COMMIT_CONFLICT')) throw commitConflict(identifier);
      throw err;
    }
    try {
      await this.io.write(joinPath(metaDir, VERSION_HINT), new TextEncoder().encode(String(version)));
    } catch {
      // The commit has landed; a stale hint only makes readers look a little further.
    }
    return file;
  }

  /** The current version of a table: the hint (or the highest file), then any newer files written since. */
  private async current(identifier: TableIdentifier): Promise<Current | undefined> {
    const metaDir = joinPath(this.tableLocation(identifier), 'metadata');
    let names: string[];
    try {
      names = await this.io.list(metaDir);
    } catch (err) {
      if (isFloeError(err, 'NOT_FOUND')) return undefined;
      throw err;
    }
    const versions = new Map<number, string>();
    for (const n of names) {
      const m = VERSION_FILE.exec(n);
      if (m) versions.set(Number(m[1]), n);
    }
    let version = await this.readHint(metaDir);
    if (version === undefined || !versions.has(version)) version = Math.max(-1, ...versions.keys());
    if (version < 0) return undefined;
    // Files newer than the hint are commits whose hint update is still to come (or failed).
    for (;;) {
      const next = [`v${version + 1}.metadata.json`, `v${version + 1}.gz.metadata.json`];
      const found = await this.firstExisting(next.map((n) => joinPath(metaDir, n)));
      if (found === undefined) break;
      versions.set(version + 1, found.slice(metaDir.length + 1));
      version++;
    }
    const metadataLocation = joinPath(metaDir, versions.get(version)!);
    return { version, metadataLocation, metadata: await readTableMetadataFile(this.io, metadataLocation) };
  }

  private async readHint(metaDir: string): Promise<number | undefined> {
    try {
      const text = new TextDecoder().decode(await this.io.read(joinPath(metaDir, VERSION_HINT))).trim();
      return /^\d+$/.test(text) ? Number(text) : undefined;
    } catch {
      return undefined;
    }
  }

  private async firstExisting(paths: string[]): Promise<string | undefined> {
    for (const p of paths) if (await this.io.exists(p)) return p;
    return undefined;
  }

  /** A table directory: its `metadata/` holds a version file or hint (Java `HadoopCatalog.isTableDir`). */
  private async isTableDir(dir: string): Promise<boolean> {
    try {
      const names = await readdir(this.local(joinPath(dir, 'metadata')));
      return names.some((n) => n === VERSION_HINT || n.endsWith('.metadata.json'));
    } catch {
      return false;
    }
  }

  private async subdirectories(dir: string): Promise<string[]> {
    try {
      const entries = await readdir(this.local(dir), { withFileTypes: true });
      return entries
        .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
        .map((e) => e.name)
        .sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new FloeError('IO_ERROR', `cannot list ${dir}: ${(err as Error).message}`, { cause: err, context: { path: dir } });
    }
  }

  private async requireNamespace(namespace: Namespace): Promise<void> {
    if (!(await this.namespaceExists(namespace))) throw namespaceNotFound(namespace);
  }

  private path(namespace: Namespace): string {
    return joinPath(this.warehouse, ...namespace);
  }

  private tableLocation(identifier: TableIdentifier): string {
    return joinPath(this.warehouse, ...identifier.namespace, identifier.name);
  }

  private local(location: string): string {
    return toLocalPath(location);
  }
}

function noProperties(namespace: Namespace): FloeError {
  return new FloeError('UNSUPPORTED', `hadoop catalog namespaces have no properties (${namespace.join('.')})`, {
    context: { namespace },
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function copyId(id: TableIdentifier): TableIdentifier {
  return { namespace: [...id.namespace], name: id.name };
}
