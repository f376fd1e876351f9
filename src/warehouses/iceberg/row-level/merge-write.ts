/**
 * `write_mode: upsert | merge` of the iceberg.writer contract (REQUIREMENTS.md §1): the config keys these modes
 * read (`key_columns`, `merge`, floe's `delete_files`) checked up front, and the merge run on the writer's prepared
 * input.
 */
import { FloeError } from '../../../errors.js';
import type { Engine } from '../../../engine/duckdb-engine.js';
import type { Catalog, TableIdentifier } from '../../../iceberg/catalog/catalog.js';
import { mergeInto, type MergeResult } from './merge.js';
import { checkMergeSpec, upsertSpec, type MergeSpec } from './merge-spec.js';

/** The writer config keys of upsert and merge. */
export interface MergeWriteConfig {
  write_mode?: string;
  /** Upsert: the columns identifying a row. */
  key_columns?: string[];
  /** Merge: how incoming rows match table rows and what happens then. */
  merge?: MergeSpec;
  /** floe: `equality` makes an upsert write the incoming keys as an equality delete file (no table read). */
  delete_files?: 'position' | 'equality';
  branch?: string;
}

/** The merge a writer config asks for. Errors: CONFIG_INVALID (missing or malformed keys, spec, delete_files). */
export function mergeSpecOf(config: MergeWriteConfig): MergeSpec {
  if (config.delete_files !== undefined && config.delete_files !== 'position' && config.delete_files !== 'equality') {
    throw new FloeError('CONFIG_INVALID', `delete_files must be position or equality, got ${JSON.stringify(config.delete_files)}`, {
      context: { key: 'delete_files' },
    });
  }
  if (config.write_mode === 'upsert') {
    const keys = config.key_columns;
    if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === 'string' && k !== '')) {
      throw new FloeError('CONFIG_INVALID', 'write_mode upsert needs key_columns: the columns identifying a row', { context: { key: 'key_columns' } });
    }
    return upsertSpec(keys);
  }
  return checkMergeSpec(config.merge);
}

/** Runs the upsert or merge of `relation` into `identifier`. */
export function runMergeWrite(
  config: MergeWriteConfig,
  catalog: Catalog,
  identifier: TableIdentifier,
  engine: Engine,
  relation: string,
): Promise<MergeResult> {
  return mergeInto(catalog, identifier, engine, relation, mergeSpecOf(config), {
    upsert: config.write_mode === 'upsert',
    ...(config.branch ? { branch: config.branch } : {}),
    ...(config.delete_files ? { deleteFiles: config.delete_files } : {}),
  });
}
