/**
 * FileIO over Amazon S3 and S3-compatible stores (MinIO, Ceph, R2, ...) for `s3://bucket/key` locations, plus the
 * `s3a://` and `s3n://` spellings Hadoop-based writers leave in metadata. The AWS SDK is loaded on first use:
 * most floe users never touch S3 and should not pay for loading it.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { FloeError } from '../../errors.js';
import type { FileIO } from './file-io.js';

/** Connection options of an {@link S3FileIO}. Unset values fall back to the AWS SDK's environment and profiles. */
export interface S3FileIOOptions {
  /** Endpoint override for S3-compatible servers, e.g. `http://localhost:9000`. */
  endpoint?: string;
  /** Region; defaults to `AWS_REGION`, then `AWS_DEFAULT_REGION`, then `us-east-1` (redirects are followed). */
  region?: string;
  /** Path-style addressing (`host/bucket/key`). Defaults to true when `endpoint` is set, false otherwise. */
  forcePathStyle?: boolean;
  /** Static credentials; when unset the SDK's default chain (env, profile, instance role) is used. */
  accessKeyId?: string;
  /** Secret of `accessKeyId`; required together with it. */
  secretAccessKey?: string;
  /** Session token of temporary credentials. */
  sessionToken?: string;
}

/**
 * Iceberg's property names for S3 settings (`s3.endpoint`, `s3.path-style-access`, ...; what REST catalogs hand
 * out in their config and what Java/pyiceberg users write), with snake_case spellings accepted too.
 */
const PROPERTY_NAMES: Record<keyof S3FileIOOptions, readonly string[]> = {
  endpoint: ['s3.endpoint'],
  region: ['s3.region', 'client.region'],
  forcePathStyle: ['s3.path-style-access', 's3.path_style'],
  accessKeyId: ['s3.access-key-id', 's3.access_key_id'],
  secretAccessKey: ['s3.secret-access-key', 's3.secret_access_key'],
  sessionToken: ['s3.session-token', 's3.session_token'],
};

/**
 * S3FileIO options from Iceberg-style string properties; absent properties leave options unset. Throws
 * `CONFIG_INVALID` (`context.key` = the property) for a path-style flag other than `true`/`false`.
 */
export function s3OptionsFromProperties(properties: Readonly<Record<string, string | undefined>>): S3FileIOOptions {
  const out: S3FileIOOptions = {};
  for (const [option, names] of Object.entries(PROPERTY_NAMES) as [keyof S3FileIOOptions, readonly string[]][]) {
    const name = names.find((n) => properties[n] !== undefined);
    if (name === undefined) continue;
    const value = properties[name] as string;
    if (option === 'forcePathStyle') {
      if (value !== 'true' && value !== 'false') {
        throw new FloeError('CONFIG_INVALID', `${name} must be true or false, got ${JSON.stringify(value)}`, {
          context: { key: name, value },
        });
      }
      out.forcePathStyle = value === 'true';
    } else {
      out[option] = value;
    }
  }
  return out;
}

/** A parsed S3 location. */
export interface S3Location {
  /** Bucket name. */
  bucket: string;
  /** Object key (may be empty for the bucket root). */
  key: string;
}

/** URI schemes owned by {@link S3FileIO}. */
export const S3_SCHEMES: readonly string[] = ['s3', 's3a', 's3n'];

const LOCATION = /^(s3|s3a|s3n):\/\/([^/]+)(?:\/(.*))?$/;

/** True when `path` is an `s3://`, `s3a://` or `s3n://` location. */
export function isS3Location(path: string): boolean {
  return /^s3[an]?:\/\//.test(path);
}

/** Splits `s3://bucket/key` into bucket and key. Throws `INVALID_ARGUMENT` for anything else. */
export function parseS3Location(path: string): S3Location {
  const m = LOCATION.exec(path);
  if (!m) throw new FloeError('INVALID_ARGUMENT', `not an S3 location (s3://bucket/key): ${path}`, { context: { path } });
  return { bucket: m[2], key: m[3] ?? '' };
}

type S3Module = typeof import('@aws-sdk/client-s3');
let sdk: Promise<S3Module> | undefined;

function loadSdk(): Promise<S3Module> {
  sdk ??= import('@aws-sdk/client-s3').catch((err: unknown) => {
    sdk = undefined;
    throw new FloeError('UNSUPPORTED', 'S3 support needs the @aws-sdk/client-s3 package, which could not be loaded', {
      cause: err,
    });
  });
  return sdk;
}

/** Error codes of socket-level failures: the endpoint is down or unreachable, so a later retry may succeed. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);
const AUTH_CODES = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'CredentialsProviderError',
]);

interface SdkError {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  errors?: unknown[];
  $metadata?: { httpStatusCode?: number };
}

function s3Code(err: unknown): string | undefined {
  const e = err as SdkError;
  return e?.Code ?? e?.name;
}

function httpStatus(err: unknown): number | undefined {
  return (err as SdkError)?.$metadata?.httpStatusCode;
}

function isNetworkError(err: unknown): boolean {
  const e = err as SdkError;
  if (!e || typeof e !== 'object') return false;
  if (e.code !== undefined && NETWORK_CODES.has(e.code)) return true;
  if (e.name === 'TimeoutError') return true;
  // Node's happy-eyeballs connect reports every failed address inside an AggregateError.
  return Array.isArray(e.errors) && e.errors.some(isNetworkError);
}

function isNotFound(err: unknown): boolean {
  const code = s3Code(err);
  return code === 'NoSuchKey' || code === 'NotFound' || (httpStatus(err) === 404 && code !== 'NoSuchBucket');
}

/** Maps an SDK failure to a FloeError; `path` and the parsed location go into the context. */
function toFloeError(err: unknown, path: string, loc: S3Location): FloeError {
  if (err instanceof FloeError) return err;
  const code = s3Code(err);
  const status = httpStatus(err);
  const context = { path, bucket: loc.bucket, key: loc.key, s3Code: code, status };
  const detail = (err as SdkError)?.message ?? String(err);
  if (code === 'NoSuchBucket') {
    return new FloeError('NOT_FOUND', `bucket not found: ${loc.bucket}`, { cause: err, context });
  }
  if (isNotFound(err)) return new FloeError('NOT_FOUND', `file not found: ${path}`, { cause: err, context });
  if (status === 401 || status === 403 || (code !== undefined && AUTH_CODES.has(code))) {
    return new FloeError('AUTH_FAILED', `S3 refused access to ${path} (${code ?? status}): ${detail}`, { cause: err, context });
  }
  if (isNetworkError(err)) {
    return new FloeError('IO_ERROR', `cannot reach S3 for ${path}: ${detail}`, { cause: err, context, retryable: true });
  }
  // 5xx and throttling survive the SDK's own retries only when the service stays unhealthy: still worth a later try.
  const retryable = (status !== undefined && status >= 500) || code === 'SlowDown' || code === 'ThrottlingException';
  return new FloeError('IO_ERROR', `S3 request for ${path} failed (${code ?? status ?? 'unknown'}): ${detail}`, {
    cause: err,
    context,
    retryable,
  });
}

/** True when a PUT failed because the server does not implement `If-None-Match` (as opposed to the key existing). */
function conditionalPutUnsupported(err: unknown): boolean {
  const code = s3Code(err);
  const status = httpStatus(err);
  if (status === 501 || code === 'NotImplemented') return true;
  return (
    status === 400 &&
    (code === 'InvalidArgument' || code === 'InvalidRequest') &&
    /if-none-match/i.test((err as SdkError).message ?? '')
  );
}

function checkRange(path: string, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new FloeError('INVALID_ARGUMENT', `invalid byte range ${offset}+${length} for ${path}`, {
      context: { path, offset, length },
    });
  }
}

/**
 * FileIO for S3 and S3-compatible object stores.
 *
 * `writeIfAbsent` first checks with HEAD, then PUTs with `If-None-Match: *`, which S3 (since 2024) and current
 * MinIO enforce atomically: of two racing writers exactly one wins. Servers that reject the header (501 /
 * NotImplemented) are remembered and get a plain PUT; servers that silently ignore it behave the same. On both,
 * the create is only as safe as HEAD-then-PUT: two writers racing between the HEAD and the PUT can both
 * "succeed", the later one replacing the earlier file. A catalog that needs atomic commits there must lock itself.
 *
 * `write` is a single PutObject (up to 5 GiB): enough for metadata, manifests and the files floe writes itself.
 */
export class S3FileIO implements FileIO {
  private readonly options: S3FileIOOptions;
  private client: Promise<S3Client> | undefined;
  private ifNoneMatchUnsupported = false;

  /** Validates the options; the SDK itself is loaded on the first request. Throws `CONFIG_INVALID`. */
  constructor(options: S3FileIOOptions = {}) {
    if (options.endpoint !== undefined) {
      let url: URL | undefined;
      try {
        url = new URL(options.endpoint);
      } catch {
        url = undefined;
      }
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        throw new FloeError('CONFIG_INVALID', `S3 endpoint must be an http(s) URL: ${options.endpoint}`, {
          context: { key: 'endpoint', value: options.endpoint },
        });
      }
    }
    if ((options.accessKeyId === undefined) !== (options.secretAccessKey === undefined)) {
      const missing = options.accessKeyId === undefined ? 'accessKeyId' : 'secretAccessKey';
      throw new FloeError('CONFIG_INVALID', `S3 credentials need both accessKeyId and secretAccessKey (${missing} is missing)`, {
        context: { key: missing },
      });
    }
    this.options = { ...options };
  }

  private getClient(): Promise<S3Client> {
    this.client ??= loadSdk().then(({ S3Client }) => {
      const o = this.options;
      const custom = o.endpoint !== undefined;
      return new S3Client({
        region: o.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
        endpoint: o.endpoint,
        forcePathStyle: o.forcePathStyle ?? custom,
        followRegionRedirects: true,
        credentials:
          o.accessKeyId !== undefined && o.secretAccessKey !== undefined
            ? { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey, sessionToken: o.sessionToken }
            : undefined,
        // Many S3-compatible servers reject or mishandle the SDK's default CRC32 checksum headers (added in
        // 2025); against them, send checksums only where the S3 API requires one.
        requestChecksumCalculation: custom ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED',
        responseChecksumValidation: custom ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED',
        // Without a connect timeout a black-holed endpoint hangs for the OS's TCP timeout (minutes).
        requestHandler: { connectionTimeout: 10_000 },
      });
    });
    return this.client;
  }

  async read(path: string): Promise<Uint8Array> {
    const loc = parseS3Location(path);
    const { GetObjectCommand } = await loadSdk();
    try {
      const res = await (await this.getClient()).send(new GetObjectCommand({ Bucket: loc.bucket, Key: loc.key }));
      return res.Body ? await res.Body.transformToByteArray() : new Uint8Array(0);
    } catch (err) {
      throw toFloeError(err, path, loc);
    }
  }

  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    const loc = parseS3Location(path);
    checkRange(path, offset, length);
    // An empty range has no HTTP spelling (`bytes=5-4` is invalid); existence still has to be checked.
    if (length === 0) {
      await this.size(path);
      return new Uint8Array(0);
    }
    const { GetObjectCommand } = await loadSdk();
    try {
      const res = await (await this.getClient()).send(
        new GetObjectCommand({ Bucket: loc.bucket, Key: loc.key, Range: `bytes=${offset}-${offset + length - 1}` }),
      );
      return res.Body ? await res.Body.transformToByteArray() : new Uint8Array(0);
    } catch (err) {
      // A range starting past the end: like a local short read, nothing is there.
      if (httpStatus(err) === 416 || s3Code(err) === 'InvalidRange') return new Uint8Array(0);
      throw toFloeError(err, path, loc);
    }
  }

  async size(path: string): Promise<number> {
    const loc = parseS3Location(path);
    const { HeadObjectCommand } = await loadSdk();
    try {
      const res = await (await this.getClient()).send(new HeadObjectCommand({ Bucket: loc.bucket, Key: loc.key }));
      return res.ContentLength ?? 0;
    } catch (err) {
      throw toFloeError(err, path, loc);
    }
  }

  /** True when the object exists. Throws (rather than answering false) on auth and connection failures. */
  async exists(path: string): Promise<boolean> {
    try {
      await this.size(path);
      return true;
    } catch (err) {
      if (err instanceof FloeError && err.code === 'NOT_FOUND') return false;
      throw err;
    }
  }

  /**
   * Names directly under `dir` (objects and "subdirectories", i.e. common prefixes), following pagination.
   * Throws `NOT_FOUND` when nothing is stored under the prefix, as object stores have no empty directories
   * (a zero-byte `dir/` marker object counts as an existing, empty directory).
   */
  async list(dir: string): Promise<string[]> {
    const loc = parseS3Location(dir);
    const prefix = loc.key === '' || loc.key.endsWith('/') ? loc.key : `${loc.key}/`;
    const { ListObjectsV2Command } = await loadSdk();
    const client = await this.getClient();
    const names: string[] = [];
    let found = false;
    let token: string | undefined;
    try {
      do {
        const res = await client.send(
          new ListObjectsV2Command({ Bucket: loc.bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }),
        );
        for (const p of res.CommonPrefixes ?? []) {
          if (p.Prefix === undefined) continue;
          found = true;
          const name = p.Prefix.slice(prefix.length).replace(/\/$/, '');
          if (name !== '') names.push(name);
        }
        for (const o of res.Contents ?? []) {
          if (o.Key === undefined) continue;
          found = true;
          const name = o.Key.slice(prefix.length);
          if (name !== '') names.push(name);
        }
        // A truncated page without a token would loop forever on a buggy server; stop instead.
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      throw toFloeError(err, dir, loc);
    }
    if (!found) {
      throw new FloeError('NOT_FOUND', `directory not found: ${dir}`, { context: { path: dir, bucket: loc.bucket, key: loc.key } });
    }
    return names;
  }

  async write(path: string, data: Uint8Array): Promise<void> {
    const loc = parseS3Location(path);
    try {
      await this.put(loc, data, false);
    } catch (err) {
      throw toFloeError(err, path, loc);
    }
  }

  async writeIfAbsent(path: string, data: Uint8Array): Promise<boolean> {
    const loc = parseS3Location(path);
    // The HEAD makes the common "already there" answer cheap and is the whole check on servers ignoring the header.
    if (await this.exists(path)) return false;
    if (!this.ifNoneMatchUnsupported) {
      // S3 answers 409 ConditionalRequestConflict while another conditional write of the key is in flight; a
      // retry then sees the winner (412) or wins itself.
      for (let attempt = 1; ; attempt++) {
        try {
          await this.put(loc, data, true);
          return true;
        } catch (err) {
          const status = httpStatus(err);
          if (status === 412 || s3Code(err) === 'PreconditionFailed') return false;
          if (status === 409 && attempt < 3) {
            await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
            continue;
          }
          if (!conditionalPutUnsupported(err)) throw toFloeError(err, path, loc);
          this.ifNoneMatchUnsupported = true;
          break;
        }
      }
    }
    try {
      await this.put(loc, data, false);
    } catch (err) {
      throw toFloeError(err, path, loc);
    }
    return true;
  }

  /** Deletes an object; a missing key is not an error (a missing bucket is: it signals a misconfiguration). */
  async delete(path: string): Promise<void> {
    const loc = parseS3Location(path);
    const { DeleteObjectCommand } = await loadSdk();
    try {
      await (await this.getClient()).send(new DeleteObjectCommand({ Bucket: loc.bucket, Key: loc.key }));
    } catch (err) {
      if (isNotFound(err)) return;
      throw toFloeError(err, path, loc);
    }
  }

  /** Closes the client's pooled connections. The instance stays usable: a later call opens a new client. */
  async destroy(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) (await client.catch(() => undefined))?.destroy();
  }

  /** One PutObject; throws the SDK's error unmapped so callers can read its status first. */
  private async put(loc: S3Location, data: Uint8Array, ifAbsent: boolean): Promise<void> {
    const { PutObjectCommand } = await loadSdk();
    await (await this.getClient()).send(
      new PutObjectCommand({
        Bucket: loc.bucket,
        Key: loc.key,
        Body: data,
        ContentLength: data.byteLength,
        IfNoneMatch: ifAbsent ? '*' : undefined,
      }),
    );
  }
}
