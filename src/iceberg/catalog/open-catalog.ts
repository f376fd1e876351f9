/**
 * Opening the configured catalog and naming tables in it: `ns.table` or `a.b.table` (multi-level namespaces).
 * Names are checked before they reach SQL or paths: no quotes, `;`, `/`, `\`, control characters or empty levels.
 */
import { resolve } from 'node:path';
import { FloeError } from '../../errors.js';
import { loadFloeConfig, resolveCatalog, s3OptionsFor, type FloeConfig } from '../../config/floe-config.js';
import type { Catalog, TableIdentifier } from './catalog.js';
import { createCatalog } from './create-catalog.js';

const SAFE_LEVEL = /^[^"'`;/\\\x00-\x1f.]+$/;

/** Parses `ns.table` / `a.b.table`. Throws `INVALID_ARGUMENT` for names that are not safe identifiers. */
export function parseTableName(text: string): TableIdentifier {
  const levels = text.trim().split('.');
  if (levels.length < 2) {
    throw new FloeError('INVALID_ARGUMENT', `table name '${text}' needs a namespace: write namespace.table`, { context: { table: text } });
  }
  for (const l of levels) {
    if (!SAFE_LEVEL.test(l) || l.trim() !== l || l === '') {
      throw new FloeError('INVALID_ARGUMENT', `table name '${text}' is not a safe identifier (no quotes, ';', '/', '..' or empty parts)`, {
        context: { table: text },
      });
    }
  }
  return { namespace: levels.slice(0, -1), name: levels[levels.length - 1] };
}

/** True when `text` looks like a catalog table name rather than a path. */
export function looksLikeTableName(text: string): boolean {
  return /^[A-Za-z_][\w$-]*(\.[A-Za-z_][\w$-]*)+$/.test(text) && !/\.(json|gz|parquet|avro|text)$/i.test(text);
}

/** Opens a catalog from a loaded config (`name` or the default catalog). */
export async function openCatalog(config: FloeConfig, name?: string): Promise<Catalog> {
  const cc = resolveCatalog(config, name);
  // A local warehouse is recorded as an absolute path, so table locations stay valid from any working directory
  // (and for other engines reading the catalog).
  const warehouse = cc.warehouse && !/^[a-z][a-z0-9+.-]*:/i.test(cc.warehouse) ? resolve(cc.warehouse) : cc.warehouse;
  return createCatalog(cc.name, {
    type: cc.type,
    uri: cc.uri,
    warehouse,
    properties: cc.properties,
    s3: s3OptionsFor(config, cc),
  });
}

/** Loads `floe.yaml` (or the defaults) and opens its catalog. */
export async function openConfiguredCatalog(opts: { configPath?: string; catalog?: string } = {}): Promise<Catalog> {
  return openCatalog(await loadFloeConfig({ configPath: opts.configPath }), opts.catalog);
}
