/**
 * A small Iceberg REST catalog server for tests (node:http on 127.0.0.1, random port), implementing the routes
 * `RestCatalog` uses as open-api/rest-catalog-open-api.yaml (apache/iceberg) defines them: config, the OAuth2
 * client-credentials token endpoint, namespaces, tables, commit, rename, drop (with purge) and register. Tables are
 * an in-memory map from identifier to metadata location; metadata files live in a warehouse directory on disk and
 * are written by the same commit path every floe catalog uses (`commitMetadataChange`).
 *
 * Switches for failure tests: {@link RestCatalogTestServer.failNext} (answer the next matching requests with an
 * error status, optionally after applying a commit), `requireAuth`, {@link RestCatalogTestServer.expireTokens}.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { isFloeError } from '../../src/errors.js';
import { parseJson, stringifyJson } from '../../src/util/json.js';
import { LocalFileIO } from '../../src/iceberg/io/local-file-io.js';
import { joinPath } from '../../src/iceberg/io/file-io.js';
import { tableMetadataToJson, type TableMetadata } from '../../src/iceberg/spec/table-metadata.js';
import { readTableMetadataFile } from '../../src/iceberg/table/table-files.js';
import { updatesForNewTable } from '../../src/iceberg/spec/new-table-updates.js';
import { commitMetadataChange } from '../../src/iceberg/catalog/metadata-files.js';
import { purgeTableFiles } from '../../src/iceberg/catalog/purge-table.js';
import { childNamespaces, metastoreTableLocation } from '../../src/iceberg/catalog/catalog-identifiers.js';
import type { Namespace, TableIdentifier } from '../../src/iceberg/catalog/catalog.js';
import { namespaceFromJson, tableIdentifierFromJson } from '../../src/iceberg/catalog/rest-json.js';
import { commitTableRequestFromJson, createTableRequestFromJson } from '../../src/iceberg/catalog/rest-request-json.js';
import { asObject, optStringMap, reqString } from '../../src/iceberg/spec/json-fields.js';

/** Options of {@link startRestCatalogServer}. */
export interface RestCatalogServerOptions {
  /** Route prefix announced as a `/v1/config` override (default `floe`; `''` for none). */
  prefix?: string;
  /** Extra `/v1/config` defaults and overrides. */
  defaults?: Record<string, string>;
  overrides?: Record<string, string>;
  /** Announce the supported endpoints in `/v1/config` (default true; false makes clients use GET for exists). */
  advertiseEndpoints?: boolean;
  /** Client credentials the token endpoint accepts. */
  clientId?: string;
  clientSecret?: string;
  /** Bearer tokens accepted besides issued ones. */
  staticTokens?: string[];
  /** Require `Authorization: Bearer <valid token>` on every route but the token endpoint (default false). */
  requireAuth?: boolean;
  /** Lifetime of issued tokens in seconds (default 3600). */
  tokenLifetimeSeconds?: number;
  /** Page size when a client asks for pages without `pageSize` (default 100). */
  pageSize?: number;
  /** `config` returned with every table. */
  tableConfig?: Record<string, string>;
}

/** An injected failure. */
export interface InjectedFailure {
  status: number;
  /** Which requests it hits: `commit` (POST to a table), or any request (default). */
  route?: 'commit' | 'any';
  /** How many requests (default 1). */
  count?: number;
  /** Apply the commit before answering with the error (a commit that landed but whose answer got lost). */
  afterCommit?: boolean;
  /** `Retry-After` header value. */
  retryAfter?: string;
  /** Error `type` (default chosen by status). */
  type?: string;
  /** Drop the connection without answering (after applying the commit when `afterCommit`). */
  dropConnection?: boolean;
}

/** One request as the server saw it. */
export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  /** Status of the answer (0 when the connection was dropped). */
  status: number;
}

/** A running test server. */
export interface RestCatalogTestServer {
  /** `http://127.0.0.1:<port>`. */
  uri: string;
  /** Directory holding table files. */
  warehouse: string;
  /** Every request, in order. */
  requests: LoggedRequest[];
  /** Tokens issued by the token endpoint. */
  tokensIssued: number;
  /** Table key (`JSON.stringify([...namespace, name])`) → identifier and current metadata location. */
  tables: Map<string, TableEntry>;
  /** Turns the bearer-token requirement on or off. */
  requireAuth: boolean;
  /** Queues a failure for the next matching request(s). */
  failNext(failure: InjectedFailure): void;
  /** Makes every issued token invalid from now on (the client sees 401 and must fetch a new one). */
  expireTokens(): void;
  stop(): Promise<void>;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'BadRequestException',
  401: 'NotAuthorizedException',
  403: 'ForbiddenException',
  404: 'NotFoundException',
  409: 'CommitFailedException',
  500: 'CommitStateUnknownException',
  502: 'CommitStateUnknownException',
  503: 'ServiceUnavailableException',
  504: 'CommitStateUnknownException',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A table as the server keeps it. */
export interface TableEntry {
  identifier: TableIdentifier;
  metadataLocation: string;
}

const key = (levels: string[]): string => JSON.stringify(levels);
const idKey = (id: TableIdentifier): string => key([...id.namespace, id.name]);

/** Starts a server with an empty catalog and a fresh warehouse directory. */
export async function startRestCatalogServer(options: RestCatalogServerOptions = {}): Promise<RestCatalogTestServer> {
  const warehouse = await mkdtemp(join(tmpdir(), 'floe-rest-'));
  const io = new LocalFileIO();
  const prefix = options.prefix ?? 'floe';
  const namespaces = new Map<string, { namespace: Namespace; properties: Record<string, string> }>();
  const tables = new Map<string, TableEntry>();
  const setTable = (identifier: TableIdentifier, metadataLocation: string): void => {
    tables.set(idKey(identifier), { identifier, metadataLocation });
  };
  const tablesIn = (ns: Namespace): TableIdentifier[] =>
    [...tables.values()].map((t) => t.identifier).filter((t) => key(t.namespace) === key(ns));
  const tokens = new Map<string, number>(); // token → expiry (epoch ms)
  const failures: InjectedFailure[] = [];
  let lock: Promise<unknown> = Promise.resolve();
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  const separator = options.overrides?.['namespace-separator'];

  const state: RestCatalogTestServer = {
    uri: '',
    warehouse,
    requests: [],
    tokensIssued: 0,
    tables,
    requireAuth: options.requireAuth ?? false,
    failNext: (f) => failures.push({ count: 1, route: 'any', ...f }),
    expireTokens: () => {
      for (const t of tokens.keys()) tokens.set(t, 0);
    },
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(warehouse, { recursive: true, force: true });
    },
  };

  /** Mutations run one at a time, so check-then-swap of a table pointer is atomic. */
  const serialized = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = lock.then(fn, fn);
    lock = run.catch(() => undefined);
    return run;
  };

  const nsExists = (ns: Namespace): boolean => namespaces.has(key(ns));
  const requireNs = (ns: Namespace): void => {
    if (!nsExists(ns)) throw new HttpError(404, 'NoSuchNamespaceException', `namespace ${ns.join('.')} does not exist`);
  };
  const requireTable = (id: TableIdentifier): string => {
    const entry = tables.get(idKey(id));
    if (entry === undefined) throw new HttpError(404, 'NoSuchTableException', `table ${id.name} does not exist`);
    return entry.metadataLocation;
  };
  const readMetadata = (location: string): Promise<TableMetadata> => readTableMetadataFile(io, location);
  const loadResult = (location: string, md: TableMetadata): unknown => ({
    'metadata-location': location,
    metadata: tableMetadataToJson(md),
    config: options.tableConfig ?? {},
  });

  /** Splits `a%1Fb` (or the advertised separator) into levels (OpenAPI `namespace` parameter). */
  const decodeNs = (raw: string): Namespace => {
    const parts = raw.split(/%1F/i).flatMap((p) => (separator ? p.split(new RegExp(separator, 'i')) : [p]));
    return parts.map((p) => decodeURIComponent(p));
  };

  const page = <T>(items: T[], query: Record<string, string>, field: string): Record<string, unknown> => {
    // OpenAPI `PageToken`: without `pageToken` everything comes in one response.
    if (query.pageToken === undefined) return { [field]: items, 'next-page-token': null };
    const size = Number(query.pageSize ?? options.pageSize ?? 100);
    const start = query.pageToken === '' ? 0 : Number(Buffer.from(query.pageToken, 'base64url').toString());
    const end = start + size;
    const next = end < items.length ? Buffer.from(String(end)).toString('base64url') : null;
    return { [field]: items.slice(start, end), 'next-page-token': next };
  };

  async function route(req: IncomingMessage, body: unknown, path: string[], query: Record<string, string>): Promise<[number, unknown]> {
    const method = req.method ?? 'GET';
    if (path[0] === 'config' && method === 'GET') {
      const overrides: Record<string, string> = { ...options.overrides };
      if (prefix !== '') overrides.prefix = prefix;
      const out: Record<string, unknown> = { defaults: { ...options.defaults }, overrides };
      if (options.advertiseEndpoints !== false) {
        const ns = '/v1/{prefix}/namespaces';
        const table = `${ns}/{namespace}/tables/{table}`;
        out.endpoints = [
          ...['GET', 'POST'].map((m) => `${m} ${ns}`),
          ...['GET', 'HEAD', 'DELETE'].map((m) => `${m} ${ns}/{namespace}`),
          `POST ${ns}/{namespace}/properties`, `GET ${ns}/{namespace}/tables`, `POST ${ns}/{namespace}/tables`,
          ...['GET', 'HEAD', 'POST', 'DELETE'].map((m) => `${m} ${table}`),
          `POST ${ns}/{namespace}/register`, 'POST /v1/{prefix}/tables/rename',
        ];
      }
      return [200, out];
    }
    if (prefix !== '') {
      if (path[0] !== prefix) throw new HttpError(404, 'NotFoundException', `unknown prefix ${path[0]}`);
      path = path.slice(1);
    }
    const [a, nsRaw, b, tableRaw, ...rest] = path;
    if (a === 'tables' && nsRaw === 'rename' && path.length === 2 && method === 'POST') {
      const o = asObject(body, 'RenameTableRequest');
      const from = tableIdentifierFromJson(o.source, 'source');
      const to = tableIdentifierFromJson(o.destination, 'destination');
      return serialized(async () => {
        const loc = requireTable(from);
        requireNs(to.namespace);
        if (tables.has(idKey(to))) throw new HttpError(409, 'AlreadyExistsException', 'destination exists');
        tables.delete(idKey(from));
        setTable(to, loc);
        return [204, undefined];
      });
    }
    if (a !== 'namespaces') throw new HttpError(404, 'NotFoundException', `no route ${path.join('/')}`);
    if (nsRaw === undefined) {
      if (method === 'GET') {
        // The query string is already decoded: split on the unit separator and the advertised separator.
        const sep = separator === undefined ? '\x1f' : decodeURIComponent(separator);
        const parent = query.parent ? query.parent.split('\x1f').flatMap((p) => p.split(sep)) : [];
        const all = [...namespaces.values()].map((n) => n.namespace);
        if (parent.length > 0 && !nsExists(parent)) requireNs(parent);
        return [200, page(childNamespaces(all, parent), query, 'namespaces')];
      }
      if (method === 'POST') {
        const o = asObject(body, 'CreateNamespaceRequest');
        const ns = namespaceFromJson(o.namespace, 'CreateNamespaceRequest');
        const properties = optStringMap(o, 'properties', 'CreateNamespaceRequest') ?? {};
        return serialized(async () => {
          if (nsExists(ns)) throw new HttpError(409, 'AlreadyExistsException', 'namespace exists');
          namespaces.set(key(ns), { namespace: ns, properties });
          return [200, { namespace: ns, properties }];
        });
      }
    }
    const ns = decodeNs(nsRaw);
    if (b === undefined) {
      if (method === 'HEAD') return [nsExists(ns) ? 204 : 404, undefined];
      requireNs(ns);
      if (method === 'GET') return [200, { namespace: ns, properties: namespaces.get(key(ns))!.properties }];
      if (method === 'DELETE') {
        return serialized(async () => {
          requireNs(ns);
          const hasTables = tablesIn(ns).length > 0;
          const hasChildren = childNamespaces([...namespaces.values()].map((n) => n.namespace), ns).length > 0;
          if (hasTables || hasChildren) throw new HttpError(409, 'NamespaceNotEmptyException', 'namespace not empty');
          namespaces.delete(key(ns));
          return [204, undefined];
        });
      }
    }
    if (b === 'properties' && method === 'POST') {
      requireNs(ns);
      const o = asObject(body, 'UpdateNamespacePropertiesRequest');
      const removals = Array.isArray(o.removals) ? (o.removals as string[]) : [];
      const updates = optStringMap(o, 'updates', 'UpdateNamespacePropertiesRequest') ?? {};
      if (removals.some((r) => r in updates)) throw new HttpError(422, 'UnprocessableEntityException', 'key in both');
      const props = namespaces.get(key(ns))!.properties;
      const missing = removals.filter((r) => !(r in props));
      for (const r of removals) delete props[r];
      Object.assign(props, updates);
      return [200, { updated: Object.keys(updates), removed: removals.filter((r) => !missing.includes(r)), missing }];
    }
    if (b === 'register' && method === 'POST') {
      const o = asObject(body, 'RegisterTableRequest');
      const id: TableIdentifier = { namespace: ns, name: reqString(o, 'name', 'RegisterTableRequest') };
      const location = reqString(o, 'metadata-location', 'RegisterTableRequest');
      return serialized(async () => {
        requireNs(ns);
        if (tables.has(idKey(id)) && o.overwrite !== true) throw new HttpError(409, 'AlreadyExistsException', 'exists');
        const md = await readMetadata(location);
        setTable(id, location);
        return [200, loadResult(location, md)];
      });
    }
    if (b !== 'tables' || rest.length > 0) throw new HttpError(404, 'NotFoundException', `no route ${path.join('/')}`);
    if (tableRaw === undefined) {
      requireNs(ns);
      if (method === 'GET') {
        const ids = tablesIn(ns).sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
        return [200, page(ids, query, 'identifiers')];
      }
      if (method === 'POST') {
        const create = createTableRequestFromJson(body);
        const id: TableIdentifier = { namespace: ns, name: create.name };
        return serialized(async () => {
          requireNs(ns);
          if (tables.has(idKey(id))) throw new HttpError(409, 'AlreadyExistsException', 'table exists');
          const nsLocation = namespaces.get(key(ns))!.properties.location;
          const location =
            create.request.location ?? (nsLocation ? joinPath(nsLocation, id.name) : metastoreTableLocation(warehouse, id));
          const updates = updatesForNewTable({ ...create.request, location });
          const done = await commitMetadataChange(io, undefined, { requirements: [{ type: 'assert-create' }], updates });
          setTable(id, done.metadataLocation);
          return [200, loadResult(done.metadataLocation, done.metadata)];
        });
      }
    }
    const id: TableIdentifier = { namespace: ns, name: decodeURIComponent(tableRaw) };
    if (method === 'HEAD') return [tables.has(idKey(id)) ? 204 : 404, undefined];
    if (method === 'GET') {
      const loc = requireTable(id);
      return [200, loadResult(loc, await readMetadata(loc))];
    }
    if (method === 'DELETE') {
      return serialized(async () => {
        const loc = requireTable(id);
        if (query.purgeRequested === 'true') await purgeTableFiles(io, await readMetadata(loc), loc);
        tables.delete(idKey(id));
        return [204, undefined];
      });
    }
    if (method === 'POST') {
      const { requirements, updates } = commitTableRequestFromJson(body);
      return serialized(async () => {
        const loc = tables.get(idKey(id))?.metadataLocation;
        let current: { metadataLocation: string; metadata: TableMetadata } | undefined;
        if (loc !== undefined) current = { metadataLocation: loc, metadata: await readMetadata(loc) };
        // Without a table only a create transaction (`assert-create`, OpenAPI `updateTable`) may commit.
        else if (requirements.some((r) => r.type === 'assert-create')) requireNs(ns);
        else requireTable(id);
        const done = await commitMetadataChange(io, current, { requirements, updates });
        setTable(id, done.metadataLocation);
        return [200, { 'metadata-location': done.metadataLocation, metadata: tableMetadataToJson(done.metadata) }];
      });
    }
    throw new HttpError(405, 'MethodNotAllowed', `${method} not allowed`);
  }

  /** OAuth2 client-credentials grant (OpenAPI `/v1/oauth/tokens`, form-encoded). */
  function token(form: URLSearchParams): [number, unknown] {
    if (form.get('grant_type') !== 'client_credentials') return [400, { error: 'unsupported_grant_type' }];
    if (form.get('client_id') !== options.clientId || form.get('client_secret') !== options.clientSecret) {
      return [401, { error: 'invalid_client', error_description: 'unknown client' }];
    }
    const value = `tok-${randomUUID()}`;
    tokens.set(value, Date.now() + lifetime * 1000);
    state.tokensIssued++;
    return [200, { access_token: value, token_type: 'bearer', expires_in: lifetime, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token' }];
  }

  function authorized(header: string | undefined): boolean {
    const m = /^Bearer (.+)$/.exec(header ?? '');
    if (!m) return false;
    if (options.staticTokens?.includes(m[1])) return true;
    const expiry = tokens.get(m[1]);
    return expiry !== undefined && Date.now() < expiry;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const query = Object.fromEntries(url.searchParams);
    const method = req.method ?? 'GET';
    const logged: LoggedRequest = { method, path: url.pathname, query, authorization: req.headers.authorization, status: 0 };
    state.requests.push(logged);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
      const out = payload === undefined || method === 'HEAD' ? '' : stringifyJson(payload);
      logged.status = status;
      res.writeHead(status, { ...headers, ...(out ? { 'Content-Type': 'application/json' } : {}) });
      res.end(out);
    };
    try {
      const segments = url.pathname.split('/').filter((s) => s !== '');
      if (segments[0] !== 'v1') throw new HttpError(404, 'NotFoundException', 'not a v1 route');
      if (segments[1] === 'oauth' && segments[2] === 'tokens' && method === 'POST') {
        const [status, payload] = token(new URLSearchParams(text));
        return send(status, payload);
      }
      if (state.requireAuth && !authorized(req.headers.authorization)) {
        throw new HttpError(401, 'NotAuthorizedException', 'missing or invalid bearer token');
      }
      const isCommit = method === 'POST' && segments.at(-2) === 'tables' && segments.at(-1) !== 'rename';
      const i = failures.findIndex((f) => f.route === 'any' || (f.route === 'commit' && isCommit));
      const body = text === '' ? undefined : parseJson(text);
      const failure = i >= 0 ? failures[i] : undefined;
      if (failure !== undefined) {
        if (--failure.count! <= 0) failures.splice(i, 1);
        if (failure.afterCommit) await route(req, body, segments.slice(1), query);
        if (failure.dropConnection) {
          req.socket.destroy();
          return;
        }
        const headers: Record<string, string> = failure.retryAfter ? { 'Retry-After': failure.retryAfter } : {};
        throw new HttpError(failure.status, failure.type ?? ERROR_TYPES[failure.status] ?? 'ServerError', 'injected', headers);
      }
      const [status, payload] = await route(req, body, segments.slice(1), query);
      send(status, payload);
    } catch (err) {
      let e: HttpError;
      if (err instanceof HttpError) e = err;
      else if (isFloeError(err, 'COMMIT_CONFLICT')) e = new HttpError(409, 'CommitFailedException', err.message);
      else if (isFloeError(err, 'NOT_FOUND')) e = new HttpError(404, 'NotFoundException', err.message);
      else if (isFloeError(err) && ['INVALID_ARGUMENT', 'METADATA_INVALID', 'UNSUPPORTED'].includes(err.code)) {
        e = new HttpError(400, 'BadRequestException', err.message);
      } else e = new HttpError(500, 'ServerError', err instanceof Error ? err.message : String(err));
      send(e.status, { error: { message: e.message, type: e.type, code: e.status } }, e.headers);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
