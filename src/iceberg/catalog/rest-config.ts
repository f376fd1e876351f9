/**
 * Configuration of the REST catalog client: merging the `/v1/config` answer with the client's own settings
 * (open-api/rest-catalog-open-api.yaml, `getConfig` and `CatalogConfig`), and the storage settings of one table
 * (`LoadTableResult`: `config` and `storage-credentials`) turned into FileIO options.
 */
import type { S3FileIOOptions } from '../io/s3-file-io.js';
import { asObject, optStringMap } from '../spec/json-fields.js';
import type { RestStorageCredential } from './rest-json.js';

/** The unit separator 0x1F, url-encoded: the default `namespace-separator` (OpenAPI `namespace` parameter). */
export const DEFAULT_NAMESPACE_SEPARATOR = '%1F';

/** The catalog configuration after `/v1/config`. */
export interface RestConfig {
  /** Merged properties: server defaults, then client configuration, then server overrides. */
  properties: Record<string, string>;
  /** Route prefix (`/v1/{prefix}/...`); `undefined` when none. */
  prefix: string | undefined;
  /** Namespace separator, url-encoded as the OpenAPI asks (`%1F` by default). */
  separator: string;
  /** HTTP headers from `header.<name>` properties (as the reference client takes them). */
  headers: Record<string, string>;
  /** Endpoints the server announced (`"<verb> <path>"`), or `undefined` when it announced none. */
  endpoints: Set<string> | undefined;
}

/**
 * Merges a `CatalogConfig` body with the client's configuration. OpenAPI `getConfig`: "Catalog configuration is
 * constructed by setting the defaults, then client-provided configuration, and finally overrides."
 */
export function mergeRestConfig(body: unknown, client: Record<string, string>): RestConfig {
  const W = 'CatalogConfig';
  const o = asObject(body ?? {}, W);
  const properties = { ...optStringMap(o, 'defaults', W), ...client, ...optStringMap(o, 'overrides', W) };
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(properties)) if (k.startsWith('header.')) headers[k.slice('header.'.length)] = v;
  const endpoints = o.endpoints;
  return {
    properties,
    prefix: properties.prefix ? properties.prefix : undefined,
    separator: properties['namespace-separator'] || DEFAULT_NAMESPACE_SEPARATOR,
    headers,
    endpoints: Array.isArray(endpoints) ? new Set(endpoints.filter((e): e is string => typeof e === 'string')) : undefined,
  };
}

/**
 * The configuration a table's FileIO is built from: catalog properties, overlaid with the table's `config` (it
 * "overrides catalog configuration", OpenAPI `loadTable`), overlaid with the storage credential of the longest
 * prefix of `location` ("Clients should choose the most specific prefix", OpenAPI `StorageCredential`; clients
 * "must first check" `storage-credentials` before `config`, `LoadTableResult`).
 */
export function tableStorageConfig(
  catalog: Record<string, string>,
  table: Record<string, string>,
  credentials: RestStorageCredential[],
  location: string,
): Record<string, string> {
  const best = credentials
    .filter((c) => location.startsWith(c.prefix))
    .sort((a, b) => b.prefix.length - a.prefix.length)[0];
  return { ...catalog, ...table, ...best?.config };
}

/** S3 FileIO options from Iceberg properties (names as in Java's `S3FileIOProperties` and `AwsClientProperties`). */
export function s3Options(config: Record<string, string>): S3FileIOOptions {
  const out: S3FileIOOptions = {};
  if (config['s3.endpoint']) out.endpoint = config['s3.endpoint'];
  const region = config['client.region'] ?? config['s3.region'];
  if (region) out.region = region;
  if (config['s3.access-key-id']) out.accessKeyId = config['s3.access-key-id'];
  if (config['s3.secret-access-key']) out.secretAccessKey = config['s3.secret-access-key'];
  if (config['s3.session-token']) out.sessionToken = config['s3.session-token'];
  if (config['s3.path-style-access'] !== undefined) out.forcePathStyle = config['s3.path-style-access'] === 'true';
  return out;
}
