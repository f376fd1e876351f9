/**
 * A {@link Catalog} backed by an Iceberg REST catalog server (open-api/rest-catalog-open-api.yaml in apache/iceberg).
 *
 * The client first calls `GET /v1/config` and merges the answer as the OpenAPI `getConfig` route says: server
 * `defaults`, then client configuration, then server `overrides`; the merged `prefix` goes into every route
 * (`/v1/{prefix}/...`), `uri` and `namespace-separator` overrides are honoured, `header.<name>` properties become
 * HTTP headers (as in the reference client). Table files are read and written through a FileIO chosen by the table
 * location, configured from the catalog properties overlaid with the table's `config` and the longest matching
 * `storage-credentials` entry (OpenAPI `LoadTableResult`: credentials there win over `config`).
 *
 * Error codes: see `catalog.ts`; the HTTP mapping and retries are in `rest-http.ts` (404/409 by route and error
 * type, 401/403 AUTH_FAILED, 409 on commit COMMIT_CONFLICT, 5xx on commit COMMIT_STATE_UNKNOWN, other 5xx and
 * network failures CATALOG_UNAVAILABLE), authentication in `rest-auth.ts`, configuration in `rest-config.ts`, bodies
 * in `rest-json.ts`. Invalid names are INVALID_ARGUMENT before anything is sent.
 */
import { FloeError } from '../../errors.js';
import type { FileIO } from '../io/file-io.js';
import { createFileIO } from '../io/file-io-for.js';
import type {
  Catalog,
  CatalogTable,
  CommitTableRequest,
  CommitTableResponse,
  CreateTableRequest,
  Namespace,
  TableIdentifier,
} from './catalog.js';
import { RestAuth } from './rest-auth.js';
import { RestHttp, type RestRequest, type RestResponse, type RestRetryOptions, type RestRoute } from './rest-http.js';
import {
  commitTableRequestToJson,
  createTableRequestToJson,
  loadTableResultFromJson,
  namespaceFromJson,
  tableIdentifierFromJson,
  tableIdentifierToJson,
  type RestLoadTableResult,
} from './rest-json.js';
import { asObject, optStringMap, reqString } from '../spec/json-fields.js';
import { checkIdentifier, checkNamespace, type NameRules } from './catalog-identifiers.js';
import { checkPropertyChange } from './catalog-errors.js';
import { DEFAULT_NAMESPACE_SEPARATOR, mergeRestConfig, s3Options, tableStorageConfig } from './rest-config.js';
import { tableMetadataFromJson } from '../spec/table-metadata.js';

/** Options of a {@link RestCatalog}. */
export interface RestCatalogOptions {
  /** The catalog's name in floe configuration. */
  name: string;
  /** Base URI of the REST server, e.g. `http://localhost:8181` (routes are `<uri>/v1/...`). */
  uri: string;
  /** Warehouse location or identifier, sent to `/v1/config` as the `warehouse` query parameter. */
  warehouse?: string;
  /** Route prefix; usually given by the server in `/v1/config` (an override there wins over this). */
  prefix?: string;
  /** Bearer token sent as is (OpenAPI `BearerAuth`). */
  token?: string;
  /** OAuth2 client credentials `client_id:client_secret` exchanged for tokens (OpenAPI `OAuth2`). */
  credential?: string;
  /** OAuth2 scope, default `catalog`. */
  scope?: string;
  /** OAuth2 token endpoint; default `<uri>/v1/oauth/tokens`, or `oauth2-server-uri` from the merged config. */
  oauth2ServerUri?: string;
  /** Extra HTTP headers for every request. */
  headers?: Record<string, string>;
  /** Further client configuration, merged between the server's defaults and overrides. */
  properties?: Record<string, string>;
  /** FileIO for every table, or a function choosing one per table location and merged table configuration. */
  io?: FileIO | ((location: string, config: Record<string, string>) => FileIO);
  /** Page size asked of list routes (`pageSize`); the server may ignore it. */
  pageSize?: number;
  /** Per-request timeout in milliseconds (default 60 000). */
  timeoutMs?: number;
  /** Retry and backoff settings for transient failures. */
  retry?: RestRetryOptions;
}

/** The OpenAPI endpoint strings of the existence checks; servers that do not advertise them get a GET instead. */
const HEAD_NAMESPACE = 'HEAD /v1/{prefix}/namespaces/{namespace}';
const HEAD_TABLE = 'HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}';

/** An Iceberg REST catalog client. */
export class RestCatalog implements Catalog {
  readonly name: string;
  private readonly options: RestCatalogOptions;
  private readonly auth: RestAuth;
  private readonly http: RestHttp;
  private ready: Promise<void> | undefined;
  private props: Record<string, string> = {};
  private prefix: string | undefined;
  private separator = DEFAULT_NAMESPACE_SEPARATOR;
  private endpoints: Set<string> | undefined;
  private readonly ios = new Map<string, FileIO>();

  /** Creates the client; the configuration is fetched on first use. Prefer {@link RestCatalog.create}. */
  constructor(options: RestCatalogOptions) {
    if (!/^https?:\/\//i.test(options.uri)) {
      throw new FloeError('CONFIG_INVALID', `REST catalog uri must be an http(s) URL, got ${JSON.stringify(options.uri)}`, {
        context: { uri: options.uri },
      });
    }
    this.name = options.name;
    this.options = options;
    const uri = options.uri.replace(/\/+$/, '');
    const timeoutMs = options.timeoutMs ?? 60_000;
    this.auth = new RestAuth({
      token: options.token,
      credential: options.credential,
      scope: options.scope,
      tokenEndpoint: new URL(options.oauth2ServerUri ?? 'v1/oauth/tokens', `${uri}/`).toString(),
      timeoutMs,
      headers: options.headers,
    });
    this.http = new RestHttp({ baseUri: uri, auth: this.auth, headers: { ...options.headers }, timeoutMs, retry: options.retry });
  }

  /** Creates a client and loads its configuration from `GET /v1/config`. */
  static async create(options: RestCatalogOptions): Promise<RestCatalog> {
    const catalog = new RestCatalog(options);
    await catalog.initialize();
    return catalog;
  }

  /** The merged catalog configuration (defaults, client configuration, overrides); empty before the first call. */
  get properties(): Readonly<Record<string, string>> {
    return this.props;
  }

  /** Fetches and merges `/v1/config` once; a failed attempt is retried by the next call. */
  initialize(): Promise<void> {
    this.ready ??= this.loadConfig().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  private async loadConfig(): Promise<void> {
    const o = this.options;
    const res = await this.http.send({ method: 'GET', path: 'v1/config', query: { warehouse: o.warehouse }, route: 'config' });
    const client: Record<string, string> = { ...o.properties, uri: o.uri };
    if (o.warehouse !== undefined) client.warehouse = o.warehouse;
    if (o.prefix !== undefined) client.prefix = o.prefix;
    if (o.oauth2ServerUri !== undefined) client['oauth2-server-uri'] = o.oauth2ServerUri;
    const config = mergeRestConfig(res.body, client);
    const props = config.properties;
    this.props = props;
    this.prefix = config.prefix;
    this.separator = config.separator;
    this.endpoints = config.endpoints;
    if (props.uri !== o.uri) this.http.setBaseUri(props.uri);
    if (props['oauth2-server-uri'] !== undefined) {
      this.auth.setTokenEndpoint(new URL(props['oauth2-server-uri'], `${props.uri.replace(/\/+$/, '')}/`).toString());
    }
    // Explicit client headers win over `header.*` properties.
    this.http.addHeaders({ ...config.headers, ...o.headers });
  }

  private async send(req: RestRequest): Promise<RestResponse> {
    await this.initialize();
    return this.http.send(req);
  }

  // ---- paths -------------------------------------------------------------------------------------------------

  private root(...rest: string[]): string {
    return ['v1', ...(this.prefix === undefined ? [] : [this.prefix]), ...rest].join('/');
  }

  /** A namespace path parameter: levels url-encoded, joined by the (url-encoded) namespace separator. */
  private ns(namespace: Namespace): string {
    checkNamespace(namespace, this.nameRules());
    return namespace.map(encodeURIComponent).join(this.separator);
  }

  /** A level holding the separator could not be told apart from two levels on the wire. */
  private nameRules(): NameRules {
    return { forbidden: decodeURIComponent(this.separator) };
  }

  private table(id: TableIdentifier): string {
    checkIdentifier(id, this.nameRules());
    return this.root('namespaces', this.ns(id.namespace), 'tables', encodeURIComponent(id.name));
  }

  /** Follows `next-page-token` (OpenAPI `PageToken`); the first request sends an empty token to opt in. */
  private async paged(path: string, route: RestRoute, key: string, extra: Record<string, string> = {}): Promise<unknown[]> {
    const out: unknown[] = [];
    const seen = new Set<string>();
    let token = '';
    for (;;) {
      const query: Record<string, string | undefined> = { ...extra, pageToken: token };
      if (this.options.pageSize !== undefined) query.pageSize = String(this.options.pageSize);
      const res = await this.send({ method: 'GET', path, query, route });
      const body = asObject(res.body ?? {}, 'list response');
      const items = body[key];
      if (Array.isArray(items)) out.push(...items);
      const next = body['next-page-token'];
      if (typeof next !== 'string' || next === '') return out;
      if (seen.has(next)) {
        throw new FloeError('CATALOG_UNAVAILABLE', `REST catalog repeated page token ${JSON.stringify(next)}`, {
          context: { path },
        });
      }
      seen.add(next);
      token = next;
    }
  }

  // ---- namespaces --------------------------------------------------------------------------------------------

  async listNamespaces(parent?: Namespace): Promise<Namespace[]> {
    // Paths depend on the configuration (prefix, namespace separator).
    await this.initialize();
    const extra: Record<string, string> = {};
    if (parent !== undefined && parent.length > 0) {
      checkNamespace(parent, this.nameRules());
      extra.parent = parent.join(decodeURIComponent(this.separator));
    }
    const items = await this.paged(this.root('namespaces'), 'namespace', 'namespaces', extra);
    return items.map((n, i) => namespaceFromJson(n, `ListNamespacesResponse.namespaces[${i}]`));
  }

  async createNamespace(namespace: Namespace, properties: Record<string, string> = {}): Promise<void> {
    await this.initialize();
    this.ns(namespace);
    await this.send({
      method: 'POST',
      path: this.root('namespaces'),
      body: { namespace: [...namespace], properties },
      route: 'namespace',
    });
  }

  async namespaceExists(namespace: Namespace): Promise<boolean> {
    await this.initialize();
    const path = this.root('namespaces', this.ns(namespace));
    if (this.endpoints?.has(HEAD_NAMESPACE)) {
      return (await this.send({ method: 'HEAD', path, route: 'namespace' })).status !== 404;
    }
    return this.loadNamespaceProperties(namespace).then(
      () => true,
      (err: unknown) => (isCode(err, 'NAMESPACE_NOT_FOUND') ? false : Promise.reject(err)),
    );
  }

  async loadNamespaceProperties(namespace: Namespace): Promise<Record<string, string>> {
    await this.initialize();
    const res = await this.send({ method: 'GET', path: this.root('namespaces', this.ns(namespace)), route: 'namespace' });
    // OpenAPI `GetNamespaceResponse`: `properties` is null when the server does not support them.
    return optStringMap(asObject(res.body ?? {}, 'GetNamespaceResponse'), 'properties', 'GetNamespaceResponse') ?? {};
  }

  async updateNamespaceProperties(
    namespace: Namespace,
    removals: string[],
    updates: Record<string, string>,
  ): Promise<void> {
    await this.initialize();
    // Refused here as in every floe catalog; servers answer 422 for it, or may not check at all.
    checkPropertyChange(removals, updates);
    await this.send({
      method: 'POST',
      path: this.root('namespaces', this.ns(namespace), 'properties'),
      body: { removals, updates },
      route: 'namespace',
    });
  }

  async dropNamespace(namespace: Namespace): Promise<void> {
    await this.initialize();
    await this.send({ method: 'DELETE', path: this.root('namespaces', this.ns(namespace)), route: 'drop-namespace' });
  }

  // ---- tables ------------------------------------------------------------------------------------------------

  async listTables(namespace: Namespace): Promise<TableIdentifier[]> {
    await this.initialize();
    const items = await this.paged(this.root('namespaces', this.ns(namespace), 'tables'), 'tables', 'identifiers');
    return items.map((t, i) => tableIdentifierFromJson(t, `ListTablesResponse.identifiers[${i}]`));
  }

  async createTable(identifier: TableIdentifier, request: CreateTableRequest): Promise<CatalogTable> {
    await this.initialize();
    checkIdentifier(identifier, this.nameRules());
    const res = await this.send({
      method: 'POST',
      path: this.root('namespaces', this.ns(identifier.namespace), 'tables'),
      body: createTableRequestToJson(identifier.name, request),
      route: 'tables',
    });
    return this.toCatalogTable(identifier, res.body);
  }

  async loadTable(identifier: TableIdentifier): Promise<CatalogTable> {
    await this.initialize();
    const res = await this.send({ method: 'GET', path: this.table(identifier), route: 'table' });
    return this.toCatalogTable(identifier, res.body);
  }

  async tableExists(identifier: TableIdentifier): Promise<boolean> {
    await this.initialize();
    const path = this.table(identifier);
    if (this.endpoints?.has(HEAD_TABLE)) {
      return (await this.send({ method: 'HEAD', path, route: 'table' })).status !== 404;
    }
    return this.loadTable(identifier).then(
      () => true,
      (err: unknown) =>
        isCode(err, 'TABLE_NOT_FOUND') || isCode(err, 'NAMESPACE_NOT_FOUND') ? false : Promise.reject(err),
    );
  }

  async renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    await this.initialize();
    this.table(from);
    this.table(to);
    await this.send({
      method: 'POST',
      path: this.root('tables', 'rename'),
      body: { source: tableIdentifierToJson(from), destination: tableIdentifierToJson(to) },
      route: 'table',
    });
  }

  async dropTable(identifier: TableIdentifier, purge = false): Promise<void> {
    await this.initialize();
    // OpenAPI `dropTable`: with `purgeRequested` the server deletes the table's data and metadata files.
    await this.send({
      method: 'DELETE',
      path: this.table(identifier),
      query: purge ? { purgeRequested: 'true' } : undefined,
      route: 'table',
    });
  }

  async registerTable(identifier: TableIdentifier, metadataLocation: string): Promise<CatalogTable> {
    await this.initialize();
    checkIdentifier(identifier, this.nameRules());
    const res = await this.send({
      method: 'POST',
      path: this.root('namespaces', this.ns(identifier.namespace), 'register'),
      body: { name: identifier.name, 'metadata-location': metadataLocation },
      route: 'tables',
    });
    return this.toCatalogTable(identifier, res.body);
  }

  async commitTable(request: CommitTableRequest): Promise<CommitTableResponse> {
    await this.initialize();
    const res = await this.send({
      method: 'POST',
      path: this.table(request.identifier),
      body: commitTableRequestToJson(request),
      route: 'commit',
    });
    try {
      const o = asObject(res.body, 'CommitTableResponse');
      return {
        metadataLocation: reqString(o, 'metadata-location', 'CommitTableResponse'),
        metadata: tableMetadataFromJson(o.metadata),
      };
    } catch (err) {
      // The server said 200, so the commit landed; but without readable metadata the caller cannot confirm which
      // files the table now references, so it must keep them.
      throw new FloeError('COMMIT_STATE_UNKNOWN', 'REST catalog accepted the commit but its response is unreadable', {
        cause: err,
        context: { table: request.identifier.name },
      });
    }
  }

  /** Nothing to release: requests use Node's shared `fetch` connection pool. */
  async close(): Promise<void> {
    this.ios.clear();
  }

  // ---- table results -----------------------------------------------------------------------------------------

  private toCatalogTable(identifier: TableIdentifier, body: unknown): CatalogTable {
    const result = loadTableResultFromJson(body);
    if (result.metadataLocation === undefined) {
      throw new FloeError('METADATA_INVALID', 'REST catalog returned a table without metadata-location', {
        context: { field: 'metadata-location', table: identifier.name },
      });
    }
    return {
      identifier: { namespace: [...identifier.namespace], name: identifier.name },
      metadataLocation: result.metadataLocation,
      metadata: result.metadata,
      io: this.tableIO(result.metadata.location, result),
    };
  }

  /** The FileIO of a table (see `tableStorageConfig` for where its settings come from). */
  private tableIO(location: string, result: RestLoadTableResult): FileIO {
    const config = tableStorageConfig(this.props, result.config, result.storageCredentials, location);
    const io = this.options.io;
    if (io !== undefined) return typeof io === 'function' ? io(location, config) : io;
    const s3 = s3Options(config);
    // One FileIO (one S3 client) per scheme and settings, not one per loaded table.
    const key = `${location.slice(0, location.indexOf(':') + 1)}${JSON.stringify(s3)}`;
    let cached = this.ios.get(key);
    if (cached === undefined) {
      cached = createFileIO(location, { s3 });
      this.ios.set(key, cached);
    }
    return cached;
  }
}

function isCode(err: unknown, code: string): boolean {
  return err instanceof FloeError && err.code === code;
}
