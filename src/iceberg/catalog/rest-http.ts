/**
 * HTTP transport of the REST catalog client: one request with authentication, bounded retries where the REST
 * OpenAPI allows them, and the mapping of its error model (`IcebergErrorResponse`: `{error: {message, type, code}}`)
 * to {@link FloeError} codes. Bodies are JSON through `parseJson`/`stringifyJson`, so 64-bit ids stay exact.
 *
 * Retries (open-api/rest-catalog-open-api.yaml `ServiceUnavailableResponse`: "a non idempotent request should only
 * be retried by the client when the Retry-After header is present"; the reference client's
 * `ExponentialHttpRequestRetryStrategy` likewise):
 * - 429 for any request (the server refused it before doing anything);
 * - 503 with `Retry-After` for non-idempotent requests, except commits;
 * - 408, 500, 502, 503, 504 and lost connections for GET and HEAD.
 * A commit is never retried after it may have reached the server: a retry of a commit that did land fails its
 * requirements with 409, which would tell the caller that nothing was committed and make it delete files the table
 * now references. 409 is never retried here either: commit conflicts are retried by the transaction layer, which
 * rebuilds the updates on fresh metadata.
 */
import { FloeError, type FloeErrorCode } from '../../errors.js';
import { parseJson, stringifyJson } from '../../util/json.js';
import type { RestAuth } from './rest-auth.js';

/** Which route a request belongs to: decides what 404 and 409 mean (OpenAPI per-route responses). */
export type RestRoute =
  /** `/v1/config`: 404 is an unknown warehouse. */
  | 'config'
  /** Namespace routes: 404 no such namespace, 409 namespace already exists. */
  | 'namespace'
  /** `DELETE` namespace: 409 namespace not empty. */
  | 'drop-namespace'
  /** List/create/register tables in a namespace: 404 no such namespace, 409 table already exists. */
  | 'tables'
  /** One table (load, exists, drop, rename): 404 no such table (or namespace, by error type), 409 already exists. */
  | 'table'
  /** Table commit: 409 commit conflict, 5xx commit state unknown. */
  | 'commit';

/** One request to the catalog. */
export interface RestRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'DELETE';
  /** Path below the catalog URI, already encoded, e.g. `v1/ns/namespaces/a%1Fb`. */
  path: string;
  query?: Record<string, string | undefined>;
  /** JSON body (bigints as JSON integers). */
  body?: unknown;
  route: RestRoute;
}

/** A successful response. */
export interface RestResponse {
  status: number;
  /** Parsed JSON body, `undefined` when empty. */
  body: unknown;
}

/** Retry settings. */
export interface RestRetryOptions {
  /** Retries after the first attempt (default 3). */
  maxRetries?: number;
  /** First backoff delay in milliseconds, doubled per retry (default 200). */
  baseDelayMs?: number;
  /** Upper bound of one delay, also for `Retry-After` (default 10 000). */
  maxDelayMs?: number;
}

/** Options of {@link RestHttp}. */
export interface RestHttpOptions {
  baseUri: string;
  auth: RestAuth;
  /** Headers sent with every request. */
  headers: Record<string, string>;
  timeoutMs: number;
  retry?: RestRetryOptions;
}

/** Network error codes meaning the request never reached a server, so it cannot have had any effect. */
const NOT_DELIVERED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Status codes retried for idempotent requests (as the reference client does). */
const IDEMPOTENT_RETRY = new Set([408, 500, 502, 503, 504]);

/** Sends requests to one catalog. */
export class RestHttp {
  private readonly options: RestHttpOptions;
  private baseUri: string;

  constructor(options: RestHttpOptions) {
    this.options = options;
    this.baseUri = options.baseUri.replace(/\/+$/, '');
  }

  /** Replaces the base URI (a `uri` override from `/v1/config`). */
  setBaseUri(uri: string): void {
    this.baseUri = uri.replace(/\/+$/, '');
  }

  /** Replaces or adds headers sent with every request. */
  addHeaders(headers: Record<string, string>): void {
    Object.assign(this.options.headers, headers);
  }

  /** The absolute URL of a path below the catalog URI. */
  url(path: string, query?: Record<string, string | undefined>): string {
    let url = `${this.baseUri}/${path.replace(/^\/+/, '')}`;
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, v);
    const qs = params.toString();
    if (qs !== '') url += `?${qs}`;
    return url;
  }

  /**
   * Sends a request; returns 2xx responses (and 404 of HEAD as `status` 404, the "does not exist" answer), throws
   * a {@link FloeError} for everything else.
   */
  async send(req: RestRequest): Promise<RestResponse> {
    const { auth } = this.options;
    const maxRetries = this.options.retry?.maxRetries ?? 3;
    const idempotent = req.method === 'GET' || req.method === 'HEAD';
    const url = this.url(req.path, req.query);
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      const authorization = await auth.authorization();
      const headers: Record<string, string> = { Accept: 'application/json', ...this.options.headers };
      if (authorization !== undefined) headers.Authorization = authorization;
      if (req.body !== undefined) headers['Content-Type'] = 'application/json';

      let res: Response;
      let text: string;
      try {
        res = await fetch(url, {
          method: req.method,
          headers,
          body: req.body === undefined ? undefined : stringifyJson(req.body),
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        text = req.method === 'HEAD' ? '' : await res.text();
      } catch (err) {
        const delivered = !NOT_DELIVERED.has(networkErrorCode(err) ?? '');
        if (idempotent && delivered && attempt < maxRetries) {
          await sleep(this.backoff(attempt, undefined));
          continue;
        }
        if (req.route === 'commit' && delivered) {
          throw new FloeError('COMMIT_STATE_UNKNOWN', `lost the connection to the catalog during a commit: ${url}`, {
            cause: err,
            context: { uri: url },
          });
        }
        throw new FloeError('CATALOG_UNAVAILABLE', `cannot reach the REST catalog at ${url}`, {
          retryable: true,
          cause: err,
          context: { uri: url, errno: networkErrorCode(err) },
        });
      }

      if (res.ok) return { status: res.status, body: parseBody(text, req, url) };
      if (req.method === 'HEAD' && res.status === 404) return { status: 404, body: undefined };
      // OpenAPI `UnauthorizedResponse` / `AuthenticationTimeoutResponse`: the token is expired or revoked; the
      // client may get a new one and retry. The request was refused, so retrying is safe even for a commit.
      if ((res.status === 401 || res.status === 419) && !refreshed && (await auth.refreshAfterUnauthorized(authorization))) {
        refreshed = true;
        attempt--;
        continue;
      }
      const retryAfter = res.headers.get('retry-after');
      const retry =
        res.status === 429 ||
        (res.status === 503 && retryAfter !== null && req.route !== 'commit') ||
        (idempotent && IDEMPOTENT_RETRY.has(res.status));
      if (retry && attempt < maxRetries) {
        await sleep(this.backoff(attempt, retryAfter));
        continue;
      }
      throw restError(res.status, text, req.route, url);
    }
  }

  private backoff(attempt: number, retryAfter: string | null | undefined): number {
    const max = this.options.retry?.maxDelayMs ?? 10_000;
    if (retryAfter !== null && retryAfter !== undefined) {
      const seconds = Number(retryAfter);
      const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - Date.now();
      if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, max);
    }
    const base = (this.options.retry?.baseDelayMs ?? 200) * 2 ** attempt;
    // Up to 10% jitter so clients that failed together do not come back together.
    return Math.min(base + Math.random() * base * 0.1, max);
  }
}

function parseBody(text: string, req: RestRequest, url: string): unknown {
  if (text === '') return undefined;
  try {
    return parseJson(text);
  } catch (err) {
    // A 2xx commit landed even if its answer is unreadable: the caller must keep its files.
    const code: FloeErrorCode = req.route === 'commit' ? 'COMMIT_STATE_UNKNOWN' : 'CATALOG_UNAVAILABLE';
    throw new FloeError(code, `REST catalog answered ${url} with a body that is not JSON`, {
      cause: err,
      context: { uri: url },
    });
  }
}

/** The OpenAPI `ErrorModel` of an error response, as far as it can be read. */
export interface RestErrorModel {
  message: string;
  type: string | undefined;
  code: number;
}

/** Reads an `IcebergErrorResponse`; a body that is not one (a proxy's page) becomes the message. */
export function parseErrorModel(status: number, text: string): RestErrorModel {
  try {
    const json = parseJson(text) as { error?: { message?: unknown; type?: unknown; code?: unknown } };
    const e = json?.error;
    if (e !== null && typeof e === 'object') {
      return {
        message: typeof e.message === 'string' ? e.message : '',
        type: typeof e.type === 'string' ? e.type : undefined,
        code: typeof e.code === 'number' ? e.code : status,
      };
    }
  } catch {
    // not JSON
  }
  return { message: text.slice(0, 200), type: undefined, code: status };
}

/**
 * The {@link FloeError} of an error response. The HTTP status decides, refined by the error `type` where one
 * status means several things (404 of a table route: `NoSuchNamespaceException` or `NoSuchTableException`), as the
 * reference client's `ErrorHandlers` do.
 */
export function restError(status: number, text: string, route: RestRoute, url: string): FloeError {
  const model = parseErrorModel(status, text);
  const context = { status, type: model.type, uri: url };
  const fail = (code: FloeErrorCode, retryable = false): FloeError =>
    new FloeError(code, `REST catalog: HTTP ${status}${model.type ? ` ${model.type}` : ''}: ${model.message}`, {
      retryable,
      context,
    });

  if (route === 'commit') {
    if (status === 409) return fail('COMMIT_CONFLICT', true);
    // OpenAPI `updateTable`: 500, 502 and 504 leave the commit state unknown; a 503 "could have been partially
    // processed". Any other 5xx except 501 (not implemented) is no better known.
    if (status >= 500 && status !== 501) return fail('COMMIT_STATE_UNKNOWN');
  }
  switch (status) {
    case 400:
      // Older servers answered a non-empty namespace drop with 400 and this type (reference `NamespaceErrorHandler`).
      if (model.type === 'NamespaceNotEmptyException') return fail('NAMESPACE_NOT_EMPTY');
      return fail('INVALID_ARGUMENT');
    case 401:
    case 403:
    case 419:
      return fail('AUTH_FAILED');
    case 404:
      if (model.type === 'NoSuchNamespaceException') return fail('NAMESPACE_NOT_FOUND');
      if (model.type === 'NoSuchTableException') return fail('TABLE_NOT_FOUND');
      // A file the server could not find (e.g. the metadata file of a register request), reference `NotFoundException`.
      if (model.type === 'NotFoundException') return fail('NOT_FOUND');
      if (route === 'config') return fail('CONFIG_INVALID');
      if (route === 'table' || route === 'commit') return fail('TABLE_NOT_FOUND');
      return fail('NAMESPACE_NOT_FOUND');
    case 405:
    case 406:
    case 501:
      return fail('UNSUPPORTED');
    case 409:
      if (model.type === 'NamespaceNotEmptyException' || route === 'drop-namespace') return fail('NAMESPACE_NOT_EMPTY');
      if (model.type === 'CommitFailedException') return fail('COMMIT_CONFLICT', true);
      if (route === 'namespace') return fail('NAMESPACE_ALREADY_EXISTS');
      return fail('TABLE_ALREADY_EXISTS');
    case 422:
      return fail('INVALID_ARGUMENT');
    case 429:
      return fail('CATALOG_UNAVAILABLE', true);
  }
  if (status >= 500) return fail('CATALOG_UNAVAILABLE', true);
  return fail('CATALOG_UNAVAILABLE');
}

/** The errno-style code of a failed `fetch` (undici wraps it in `cause`, sometimes in an AggregateError). */
function networkErrorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e !== null && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const inner = (e as { errors?: unknown[] }).errors;
    if (Array.isArray(inner) && inner.length > 0) {
      e = inner[0];
      continue;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
