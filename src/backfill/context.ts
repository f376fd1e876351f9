/**
 * What a backfill needs around it: the catalog (from a FloeConfig, the iceberg.writer `catalog`/`catalog_config`
 * contract, or floe.yaml / the embedded default), the warehouse location its ledgers and manifests live under, and
 * the FileIO that reaches it (local or S3). Also the request checks and the run id derivation.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { FloeError } from '../errors.js';
import { loadFloeConfig, normalizeFloeConfig, resolveCatalog, s3OptionsFor, type FloeConfig } from '../config/floe-config.js';
import type { Catalog } from '../iceberg/catalog/catalog.js';
import { openCatalog } from '../iceberg/catalog/open-catalog.js';
import type { FileIO } from '../iceberg/io/file-io.js';
import { createFileIO, locationScheme } from '../iceberg/io/file-io-for.js';
import { checkRunId } from './ledger.js';
import { defaultParallel } from './plan.js';
import type { BackfillRequest, WriteMode } from './types.js';

/** The catalog and warehouse of a backfill. */
export interface BackfillContext {
  config: FloeConfig;
  catalog: Catalog;
  /** Where `_floe/runs` and `_floe/manifests` live. */
  warehouse: string;
  io: FileIO;
  close(): Promise<void>;
}

/** The FloeConfig a request names. */
export async function configOf(request: Pick<BackfillRequest, 'config' | 'catalog' | 'catalog_config'>): Promise<FloeConfig> {
  if (request.config) return request.config;
  if (request.catalog !== undefined || request.catalog_config !== undefined) {
    return normalizeFloeConfig({ catalog: request.catalog ?? 'sql', catalog_config: request.catalog_config ?? {} });
  }
  return loadFloeConfig();
}

/** Opens the request's catalog and warehouse. */
export async function openContext(request: Pick<BackfillRequest, 'config' | 'catalog' | 'catalog_config' | 'catalog_name'>): Promise<BackfillContext> {
  const config = await configOf(request);
  const cc = resolveCatalog(config, request.catalog_name);
  const raw = cc.warehouse ?? './.floe/warehouse';
  const warehouse = locationScheme(raw) === undefined ? resolve(raw) : raw;
  const catalog = await openCatalog(config, request.catalog_name);
  const io = createFileIO(warehouse, { s3: s3OptionsFor(config, cc) });
  return { config, catalog, warehouse, io, close: () => catalog.close() };
}

/** The target's name: `target_table`, or `<namespace>.<snake_case(target_model)>`. */
export function targetOf(request: BackfillRequest): string {
  if (request.target_table && request.target_model) {
    throw new FloeError('INVALID_ARGUMENT', 'give target_table or target_model, not both', { context: { key: 'target_table' } });
  }
  if (request.target_table) return request.target_table;
  if (request.target_model) {
    const snake = request.target_model
      .replace(/^.*::/, '')
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .replace(/[^A-Za-z0-9_]+/g, '_')
      .toLowerCase();
    return `${request.target_namespace ?? 'backfill'}.${snake}`;
  }
  throw new FloeError('INVALID_ARGUMENT', 'a backfill needs target_table (namespace.table or duckdb:path) or target_model', { context: { key: 'target_table' } });
}

function positive(v: number | undefined, key: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return fallback;
  if (!Number.isSafeInteger(v) || v < 1 || v > max) {
    throw new FloeError('INVALID_ARGUMENT', `${key} must be a whole number from 1 to ${max}, got ${String(v)}`, { context: { key } });
  }
  return v;
}

/** The request with defaults applied and checked; INVALID_ARGUMENT names the offending key. */
export function checkRequest(request: BackfillRequest): Required<Pick<BackfillRequest, 'window_size' | 'parallel' | 'write_mode' | 'max_retries' | 'retry_base_ms'>> & { target: string } {
  if (typeof request.data_source !== 'string' || request.data_source === '') {
    throw new FloeError('INVALID_ARGUMENT', 'a backfill needs data_source (a database URL or files)', { context: { key: 'data_source' } });
  }
  if (typeof request.table !== 'string' || request.table === '') {
    throw new FloeError('INVALID_ARGUMENT', 'a backfill needs the source table', { context: { key: 'table' } });
  }
  const mode = request.write_mode ?? 'append';
  if (!(['append', 'overwrite', 'upsert'] as WriteMode[]).includes(mode)) {
    throw new FloeError('INVALID_ARGUMENT', `write_mode must be append, overwrite or upsert, got ${String(mode)}`, { context: { key: 'write_mode' } });
  }
  if (mode === 'upsert' && !(request.key_columns && request.key_columns.length > 0)) {
    throw new FloeError('INVALID_ARGUMENT', 'write_mode upsert needs key_columns', { context: { key: 'key_columns' } });
  }
  if (request.run_id !== undefined) checkRunId(request.run_id);
  const retries = request.max_retries ?? 5;
  if (!Number.isSafeInteger(retries) || retries < 0 || retries > 100) {
    throw new FloeError('INVALID_ARGUMENT', `max_retries must be 0 to 100, got ${String(retries)}`, { context: { key: 'max_retries' } });
  }
  return {
    target: targetOf(request),
    window_size: positive(request.window_size, 'window_size', 1000),
    parallel: positive(request.parallel, 'parallel', defaultParallel(), 64),
    write_mode: mode,
    max_retries: retries,
    retry_base_ms: positive(request.retry_base_ms, 'retry_base_ms', 200),
  };
}

/** The run id of a plan into a target: the same request resumes the same run. */
export function deriveRunId(planHash: string, target: string, mode: WriteMode): string {
  return `bf-${createHash('sha256').update(`${planHash}\n${target}\n${mode}`).digest('hex').slice(0, 16)}`;
}
