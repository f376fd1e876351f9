/**
 * `floe.yaml`: which catalogs floe talks to and how it reaches object storage.
 *
 * ```yaml
 * default_catalog: prod
 * catalogs:
 *   prod: { type: rest, uri: https://catalog.example.com, token: "${CATALOG_TOKEN}" }
 *   local: { type: sql, uri: "sqlite:./.floe/catalog.db", warehouse: ./.floe/warehouse }
 * s3: { endpoint: "http://localhost:9000", region: us-east-1, path_style: true,
 *       access_key_id: "${AWS_ACCESS_KEY_ID}", secret_access_key: "${AWS_SECRET_ACCESS_KEY}" }
 * ```
 *
 * The iceberg.writer contract's shape (REQUIREMENTS.md §1) is accepted too, as one catalog named `default`:
 * `{ catalog: sql, catalog_config: { uri, warehouse, ... } }`. Unknown top-level keys are ignored, since the same
 * file (or a pipeline step's config) carries other components' settings (`table`, `write_mode`, ...).
 * Relative paths in values are kept as written (relative to the working directory, like the default's).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { FloeError } from '../errors.js';
import { s3OptionsFromProperties, type S3FileIOOptions } from '../iceberg/io/s3-file-io.js';
import { interpolateEnvDeep, type Env } from './env-interpolation.js';

/** Catalog kinds floe knows (`glue` and `hive` parse, and fail later with `UNSUPPORTED` until built). */
export const CATALOG_TYPES = ['sql', 'rest', 'hadoop', 'memory', 'glue', 'hive'] as const;

/** A catalog kind. */
export type CatalogType = (typeof CATALOG_TYPES)[number];

/** One configured catalog. */
export interface CatalogConfig {
  /** Its name (the key under `catalogs`, or `default`). */
  name: string;
  /** Catalog kind. */
  type: CatalogType;
  /** Catalog URI: `sqlite:path`, `postgresql://…`, `http(s)://…` for REST. */
  uri?: string;
  /** Warehouse location: a local path or `s3://bucket/prefix`. */
  warehouse?: string;
  /**
   * Every other key, as strings; nested mappings are flattened with dots (`s3: {endpoint: x}` → `s3.endpoint`),
   * matching Iceberg's catalog property names.
   */
  properties: Record<string, string>;
}

/** The top-level `s3` section. */
export interface S3Config {
  endpoint?: string;
  region?: string;
  pathStyle?: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}

/** A loaded configuration. */
export interface FloeConfig {
  /** Catalogs by name; never empty. */
  catalogs: Record<string, CatalogConfig>;
  /** The catalog used when none is named: `default_catalog`, else one named `default`, else the only one. */
  defaultCatalog?: string;
  /** Object-storage settings shared by all catalogs. */
  s3?: S3Config;
  /** The file this came from; undefined for the built-in default or an in-memory document. */
  source?: string;
}

/** The catalog used without any config file: SQLite-backed, in `./.floe/`. */
export const DEFAULT_CATALOG: Readonly<Omit<CatalogConfig, 'properties'>> = Object.freeze({
  name: 'default',
  type: 'sql',
  uri: 'sqlite:./.floe/catalog.db',
  warehouse: './.floe/warehouse',
});

/** The configuration in force when no config file exists. */
export function defaultFloeConfig(): FloeConfig {
  return { catalogs: { default: { ...DEFAULT_CATALOG, properties: {} } }, defaultCatalog: 'default' };
}

/** Options of {@link parseFloeConfig} and {@link normalizeFloeConfig}. */
export interface ParseFloeConfigOptions {
  /** Variables for `${VAR}` (default `process.env`). */
  env?: Env;
  /** File name for messages and `FloeConfig.source`. */
  source?: string;
}

function invalid(key: string, message: string, extra: Record<string, unknown> = {}): FloeError {
  return new FloeError('CONFIG_INVALID', `${key === '' ? 'config' : key}: ${message}`, { context: { key, ...extra } });
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function optionalString(v: unknown, key: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(key, `must be a string, got ${describe(v)}`);
  return v;
}

function optionalBoolean(v: unknown, key: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  // `${VAR}` always yields a string, so "true"/"false" must count as booleans.
  if (v === 'true' || v === 'false') return v === 'true';
  throw invalid(key, `must be true or false, got ${describe(v)}`);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  return typeof v === 'object' ? 'a mapping' : `${typeof v} ${JSON.stringify(v)}`;
}

/** Flattens catalog-specific keys to Iceberg-style string properties. */
function flattenProperties(raw: Record<string, unknown>, path: string, prefix: string, out: Record<string, string>): void {
  for (const [k, v] of Object.entries(raw)) {
    const key = `${path}.${k}`;
    if (v === undefined || v === null) continue;
    if (isMapping(v)) flattenProperties(v, key, `${prefix}${k}.`, out);
    else if (Array.isArray(v)) throw invalid(key, 'lists are not supported in catalog settings');
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[`${prefix}${k}`] = String(v);
    else throw invalid(key, `unsupported value ${describe(v)}`);
  }
}

function parseCatalog(name: string, raw: unknown, type: unknown, path: string, typeKey: string): CatalogConfig {
  if (!isMapping(raw)) throw invalid(path, `must be a mapping, got ${describe(raw)}`);
  if (typeof type !== 'string' || !(CATALOG_TYPES as readonly string[]).includes(type)) {
    throw invalid(typeKey, `catalog type must be one of ${CATALOG_TYPES.join(', ')}, got ${describe(type)}`, { value: type });
  }
  const { type: _type, uri, warehouse, ...rest } = raw;
  const catalog: CatalogConfig = {
    name,
    type: type as CatalogType,
    uri: optionalString(uri, `${path}.uri`),
    warehouse: optionalString(warehouse, `${path}.warehouse`),
    properties: {},
  };
  if (catalog.uri === undefined) delete catalog.uri;
  if (catalog.warehouse === undefined) delete catalog.warehouse;
  flattenProperties(rest, path, '', catalog.properties);
  // The two kinds that cannot work at all without a location: fail at load, naming the key, not at first use.
  if (catalog.type === 'rest' && catalog.uri === undefined) throw invalid(`${path}.uri`, 'a rest catalog needs a uri');
  if (catalog.type === 'hadoop' && catalog.warehouse === undefined) {
    throw invalid(`${path}.warehouse`, 'a hadoop catalog needs a warehouse');
  }
  return catalog;
}

const S3_KEYS: Record<string, keyof S3Config> = {
  endpoint: 'endpoint',
  region: 'region',
  path_style: 'pathStyle',
  access_key_id: 'accessKeyId',
  secret_access_key: 'secretAccessKey',
  session_token: 'sessionToken',
};

function parseS3(raw: unknown): S3Config | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isMapping(raw)) throw invalid('s3', `must be a mapping, got ${describe(raw)}`);
  const s3: S3Config = {};
  for (const [k, v] of Object.entries(raw)) {
    const field = S3_KEYS[k];
    // A closed set: a misspelt `acess_key_id` must not silently fall back to other credentials.
    if (field === undefined || !Object.hasOwn(S3_KEYS, k)) {
      throw invalid(`s3.${k}`, `unknown setting (known: ${Object.keys(S3_KEYS).join(', ')})`);
    }
    const value = field === 'pathStyle' ? optionalBoolean(v, `s3.${k}`) : optionalString(v, `s3.${k}`);
    if (value !== undefined) (s3 as Record<string, unknown>)[field] = value;
  }
  return s3;
}

/**
 * Validates an already-parsed document (a `floe.yaml`'s content or a pipeline step's config object) after
 * `${VAR}` interpolation. Throws `CONFIG_INVALID` with `context.key`, the dotted path of the offending setting.
 */
export function normalizeFloeConfig(raw: unknown, options: ParseFloeConfigOptions = {}): FloeConfig {
  const doc = interpolateEnvDeep(raw ?? {}, options.env ?? process.env);
  if (!isMapping(doc)) throw invalid('', `the document must be a mapping, got ${describe(doc)}`);

  let catalogs: Record<string, CatalogConfig>;
  if (doc.catalog !== undefined || doc.catalog_config !== undefined) {
    if (doc.catalogs !== undefined) throw invalid('catalog', 'use either `catalog`/`catalog_config` or `catalogs`, not both');
    if (doc.catalog === undefined) throw invalid('catalog', '`catalog_config` needs `catalog` (the catalog type)');
    catalogs = { default: parseCatalog('default', doc.catalog_config ?? {}, doc.catalog, 'catalog_config', 'catalog') };
  } else if (doc.catalogs === undefined || doc.catalogs === null) {
    catalogs = defaultFloeConfig().catalogs;
  } else {
    if (!isMapping(doc.catalogs)) throw invalid('catalogs', `must be a mapping of names to catalogs, got ${describe(doc.catalogs)}`);
    catalogs = {};
    for (const [name, entry] of Object.entries(doc.catalogs)) {
      const path = `catalogs.${name}`;
      catalogs[name] = parseCatalog(name, entry, isMapping(entry) ? entry.type : undefined, path, `${path}.type`);
    }
    if (Object.keys(catalogs).length === 0) throw invalid('catalogs', 'no catalog is defined');
  }

  const names = Object.keys(catalogs);
  const explicit = optionalString(doc.default_catalog, 'default_catalog');
  if (explicit !== undefined && !Object.hasOwn(catalogs, explicit)) {
    throw invalid('default_catalog', `names no configured catalog: ${explicit} (known: ${names.join(', ')})`, {
      value: explicit,
    });
  }
  const config: FloeConfig = { catalogs };
  const chosen = explicit ?? (Object.hasOwn(catalogs, 'default') ? 'default' : names.length === 1 ? names[0] : undefined);
  if (chosen !== undefined) config.defaultCatalog = chosen;
  const s3 = parseS3(doc.s3);
  if (s3 !== undefined) config.s3 = s3;
  if (options.source !== undefined) config.source = options.source;
  return config;
}

/** Parses `floe.yaml` text. Throws `CONFIG_INVALID` (YAML errors carry `context.key` '' plus line/column). */
export function parseFloeConfig(text: string, options: ParseFloeConfigOptions = {}): FloeConfig {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    throw new FloeError('CONFIG_INVALID', `${options.source ?? 'config'}: invalid YAML: ${err.message}`, {
      cause: err,
      context: { key: '', source: options.source, line: pos?.line, column: pos?.col },
    });
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // Alias expansion past the limit (a "billion laughs" document) is the one failure toJS reports.
    throw new FloeError('CONFIG_INVALID', `${options.source ?? 'config'}: ${(e as Error).message}`, {
      cause: e,
      context: { key: '', source: options.source },
    });
  }
  return normalizeFloeConfig(raw, options);
}

/** Options of {@link loadFloeConfig}. */
export interface LoadFloeConfigOptions {
  /** The `--config` path; when set, the file must exist. */
  configPath?: string;
  /** Variables for `FLOE_CONFIG` and `${VAR}` (default `process.env`). */
  env?: Env;
  /** Directory for relative paths and `./floe.yaml` (default `process.cwd()`). */
  cwd?: string;
}

async function readConfigFile(path: string, key: string | undefined): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && key === undefined) return undefined;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') {
      throw new FloeError('CONFIG_INVALID', `config file not found: ${path} (from ${key ?? 'floe.yaml'})`, {
        cause: err,
        context: { key: key ?? 'floe.yaml', path },
      });
    }
    throw new FloeError('IO_ERROR', `cannot read config file ${path}: ${(err as Error).message}`, {
      cause: err,
      context: { path },
    });
  }
}

/**
 * Loads the configuration: the `--config` path, else the file named by `FLOE_CONFIG`, else `./floe.yaml`, else
 * {@link defaultFloeConfig}. A path given by flag or variable must exist (`CONFIG_INVALID`, `context.key`
 * `--config` / `FLOE_CONFIG`); a missing `./floe.yaml` just means the default.
 */
export async function loadFloeConfig(options: LoadFloeConfigOptions = {}): Promise<FloeConfig> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const candidates: [string | undefined, string | undefined][] = [
    [options.configPath, '--config'],
    [env.FLOE_CONFIG || undefined, 'FLOE_CONFIG'],
  ];
  for (const [path, key] of candidates) {
    if (path === undefined) continue;
    const full = resolve(cwd, path);
    const text = (await readConfigFile(full, key)) as string;
    return parseFloeConfig(text, { env, source: full });
  }
  const local = resolve(cwd, 'floe.yaml');
  const text = await readConfigFile(local, undefined);
  return text === undefined ? defaultFloeConfig() : parseFloeConfig(text, { env, source: local });
}

/**
 * The catalog named `name`, or the default one. Throws `INVALID_ARGUMENT` (`context.catalog`) for an unknown
 * name and `CONFIG_INVALID` (`context.key` `default_catalog`) when no name is given and no default is set.
 */
export function resolveCatalog(config: FloeConfig, name?: string): CatalogConfig {
  const known = Object.keys(config.catalogs);
  const chosen = name ?? config.defaultCatalog;
  if (chosen === undefined) {
    throw invalid('default_catalog', `several catalogs are configured (${known.join(', ')}): set default_catalog or name one`);
  }
  if (!Object.hasOwn(config.catalogs, chosen)) {
    throw new FloeError('INVALID_ARGUMENT', `no catalog named ${chosen} is configured (known: ${known.join(', ')})`, {
      context: { catalog: chosen, known },
    });
  }
  return config.catalogs[chosen];
}

/**
 * S3FileIO options for a catalog: the top-level `s3` section, overridden by the catalog's own `s3.*`
 * properties (Iceberg names such as `s3.endpoint`, `s3.path-style-access`, or a nested `s3:` mapping).
 */
export function s3OptionsFor(config: FloeConfig, catalog?: CatalogConfig): S3FileIOOptions {
  const s3 = config.s3 ?? {};
  const base: S3FileIOOptions = {
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: s3.pathStyle,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    sessionToken: s3.sessionToken,
  };
  const merged: S3FileIOOptions = { ...base, ...(catalog ? s3OptionsFromProperties(catalog.properties) : {}) };
  for (const k of Object.keys(merged) as (keyof S3FileIOOptions)[]) if (merged[k] === undefined) delete merged[k];
  return merged;
}
