/**
 * Authentication of the REST catalog client (open-api/rest-catalog-open-api.yaml, `securitySchemes`: `OAuth2` with
 * the client-credentials flow against `/v1/oauth/tokens`, and `BearerAuth`).
 *
 * - A static `token` is sent as `Authorization: Bearer <token>` and never refreshed.
 * - A `credential` (`client_id:client_secret`, or a bare secret) is exchanged for an access token with the OAuth2
 *   client-credentials grant (RFC 6749 section 4.4) at `oauth2-server-uri`, default `<uri>/v1/oauth/tokens`. The
 *   token is fetched again shortly before its `expires_in` runs out, and once more when the catalog answers 401
 *   (the OpenAPI `UnauthorizedResponse`: "The client MAY request a new access token and retry the request").
 *
 * Errors: `AUTH_FAILED` when the token endpoint rejects the credential (OpenAPI `OAuthError`), `CATALOG_UNAVAILABLE`
 * when it cannot be reached or fails with a 5xx (retryable).
 */
import { FloeError } from '../../errors.js';
import { parseJson } from '../../util/json.js';

/** Options of {@link RestAuth}. */
export interface RestAuthOptions {
  /** A bearer token used as is. */
  token?: string;
  /** OAuth2 client credentials, `client_id:client_secret` (a value without `:` is the secret alone). */
  credential?: string;
  /** OAuth2 scope; `catalog` by default, the scope the OpenAPI `OAuth2` scheme defines. */
  scope?: string;
  /** Token endpoint (absolute URL). */
  tokenEndpoint: string;
  /** Per-request timeout in milliseconds. */
  timeoutMs: number;
  /** Extra headers for the token request. */
  headers?: Record<string, string>;
}

/** The default OAuth2 scope (OpenAPI `OAuth2` scheme: `catalog` allows the Config and Catalog APIs). */
export const DEFAULT_OAUTH2_SCOPE = 'catalog';

/** An access token and when it stops being valid. */
interface AccessToken {
  value: string;
  /** Epoch milliseconds after which the token is treated as expired; `undefined` when the server gave no lifetime. */
  refreshAtMs: number | undefined;
}

/** Supplies the `Authorization` header of catalog requests. */
export class RestAuth {
  private readonly options: RestAuthOptions;
  private tokenEndpoint: string;
  private current: AccessToken | undefined;
  private pending: Promise<AccessToken> | undefined;

  constructor(options: RestAuthOptions) {
    this.options = options;
    this.tokenEndpoint = options.tokenEndpoint;
    if (options.token !== undefined) this.current = { value: options.token, refreshAtMs: undefined };
  }

  /** True when a new token can be obtained (client credentials are configured). */
  get canRefresh(): boolean {
    return this.options.credential !== undefined;
  }

  /** Points later token requests at another endpoint (the merged `oauth2-server-uri` from `/v1/config`). */
  setTokenEndpoint(uri: string): void {
    this.tokenEndpoint = uri;
  }

  /** The `Authorization` header value, fetching or refreshing the token first when needed; none without auth. */
  async authorization(): Promise<string | undefined> {
    if (this.canRefresh) {
      const now = Date.now();
      if (this.current === undefined || (this.current.refreshAtMs !== undefined && now >= this.current.refreshAtMs)) {
        this.current = await this.fetchShared();
      }
    }
    return this.current === undefined ? undefined : `Bearer ${this.current.value}`;
  }

  /**
   * Drops the current token after the catalog rejected it and fetches a new one. Returns false when no new token
   * can be had (a static token), so the caller reports the 401 instead of retrying.
   */
  async refreshAfterUnauthorized(rejected: string | undefined): Promise<boolean> {
    if (!this.canRefresh) return false;
    // Parallel requests rejected with the same token share one refresh.
    if (this.current !== undefined && `Bearer ${this.current.value}` === rejected) this.current = undefined;
    this.current ??= await this.fetchShared();
    return true;
  }

  private fetchShared(): Promise<AccessToken> {
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** OAuth2 client-credentials request (OpenAPI `OAuthClientCredentialsRequest`, form-encoded). */
  private async fetchToken(): Promise<AccessToken> {
    const credential = this.options.credential ?? '';
    const colon = credential.indexOf(':');
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (colon >= 0) form.set('client_id', credential.slice(0, colon));
    form.set('client_secret', colon >= 0 ? credential.slice(colon + 1) : credential);
    form.set('scope', this.options.scope ?? DEFAULT_OAUTH2_SCOPE);

    const started = Date.now();
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.tokenEndpoint, {
        method: 'POST',
        headers: {
          ...this.options.headers,
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        body: form.toString(),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      throw new FloeError('CATALOG_UNAVAILABLE', `cannot reach the OAuth2 token endpoint ${this.tokenEndpoint}`, {
        retryable: true,
        cause: err,
        context: { uri: this.tokenEndpoint },
      });
    }
    let body: Record<string, unknown> = {};
    try {
      const parsed = text === '' ? {} : parseJson(text);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      // A non-JSON body (a proxy's error page) is reported by status below.
    }
    if (!res.ok) {
      const context = { uri: this.tokenEndpoint, status: res.status, error: body.error };
      if (res.status >= 500) {
        throw new FloeError('CATALOG_UNAVAILABLE', `OAuth2 token endpoint failed with HTTP ${res.status}`, {
          retryable: true,
          context,
        });
      }
      const detail = typeof body.error_description === 'string' ? `: ${body.error_description}` : '';
      throw new FloeError('AUTH_FAILED', `OAuth2 token request rejected (HTTP ${res.status}, ${String(body.error)})${detail}`, {
        context,
      });
    }
    const token = body.access_token;
    const type = body.token_type;
    // RFC 6749 section 7.1: the token type is case-insensitive; only bearer tokens can be sent as BearerAuth.
    if (typeof token !== 'string' || token === '' || typeof type !== 'string' || type.toLowerCase() !== 'bearer') {
      throw new FloeError('AUTH_FAILED', 'OAuth2 token response has no bearer access_token', {
        context: { uri: this.tokenEndpoint, tokenType: type },
      });
    }
    const expiresIn = body.expires_in;
    let refreshAtMs: number | undefined;
    if (typeof expiresIn === 'number' && expiresIn > 0) {
      const lifetimeMs = expiresIn * 1000;
      // Refresh a little early so a request does not leave with a token that expires on the way: a tenth of the
      // lifetime, at most a minute.
      refreshAtMs = started + lifetimeMs - Math.min(60_000, lifetimeMs / 10);
    }
    return { value: token, refreshAtMs };
  }
}
