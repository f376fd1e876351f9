/**
 * Opening a catalog from configuration (`floe.yaml`'s `catalogs` entries, or the same shape built in code). The
 * implementation of each type loads only when asked for, so a program using one catalog type never loads the
 * drivers of the others.
 */
import { FloeError } from '../../errors.js';
import type { FileIO } from '../io/file-io.js';
import { createFileIO } from '../io/file-io-for.js';
import { s3OptionsFromProperties, type S3FileIOOptions } from '../io/s3-file-io.js';
import type { Catalog } from './catalog.js';

/** What {@link createCatalog} needs; `floe.yaml`'s parsed `CatalogConfig` has this shape. */
export interface CreateCatalogConfig {
  /** `sql`, `memory`, `hadoop` or `rest` (`glue` and `hive` are recognised but not supported yet). */
  type: string;
  /** `sqlite:path` / `postgresql://...` for sql, `http(s)://...` for rest. */
  uri?: string;
  /** Warehouse: a local path or `s3://bucket/prefix` (hadoop: local only). */
  warehouse?: string;
  /**
   * Further settings under Iceberg's property names: `s3.endpoint`, `s3.access-key-id`, ... for storage; `token`,
   * `credential`, `scope`, `prefix`, `oauth2-server-uri`, `header.*` for rest; `init_catalog_tables` for sql.
   */
  properties?: Record<string, string>;
  /** S3 settings, overriding the `s3.*` properties. */
  s3?: S3FileIOOptions;
  /** A FileIO for all table files instead of one chosen by location (tests, custom stores). */
  io?: FileIO;
}

/**
 * Opens the catalog `name` described by `config`. Throws `CONFIG_INVALID` for a missing `uri`/`warehouse` or an
 * unknown type, `UNSUPPORTED` for types not built yet (glue, hive) and for a hadoop catalog on object storage, and
 * `CATALOG_UNAVAILABLE` / `AUTH_FAILED` when the catalog's server or database cannot be used.
 */
export async function createCatalog(name: string, config: CreateCatalogConfig): Promise<Catalog> {
  const props = config.properties ?? {};
  const s3: S3FileIOOptions = { ...s3OptionsFromProperties(props), ...config.s3 };
  const type = String(config.type ?? '').toLowerCase();
  switch (type) {
    case 'sql': {
      const uri = required(config.uri, 'uri', type);
      const { SqlCatalog } = await import('./sql-catalog.js');
      const init = props.init_catalog_tables ?? props['init-catalog-tables'];
      return SqlCatalog.open(name, {
        uri,
        warehouse: config.warehouse,
        io: config.io,
        fileIO: { s3 },
        initCatalogTables: init === undefined ? true : init.toLowerCase() !== 'false',
      });
    }
    case 'memory': {
      const { MemoryCatalog } = await import('./memory-catalog.js');
      const io = config.io ?? (config.warehouse !== undefined ? createFileIO(config.warehouse, { s3 }) : undefined);
      return new MemoryCatalog(name, { io, warehouse: config.warehouse });
    }
    case 'hadoop': {
      const warehouse = required(config.warehouse, 'warehouse', type);
      const { HadoopCatalog } = await import('./hadoop-catalog.js');
      return new HadoopCatalog(name, { warehouse });
    }
    case 'rest': {
      const uri = required(config.uri, 'uri', type);
      const { RestCatalog } = await import('./rest-catalog.js');
      return RestCatalog.create({
        name,
        uri,
        warehouse: config.warehouse,
        token: props.token,
        credential: props.credential,
        scope: props.scope,
        prefix: props.prefix,
        oauth2ServerUri: props['oauth2-server-uri'],
        properties: props,
        io: config.io,
      });
    }
    case 'glue':
    case 'hive':
      throw new FloeError('UNSUPPORTED', `${type} catalogs are not supported yet (catalog ${name}); use sql, rest or hadoop`, {
        context: { catalog: name, type },
      });
    default:
      throw new FloeError('CONFIG_INVALID', `unknown catalog type ${JSON.stringify(config.type)} for catalog ${name}`, {
        context: { catalog: name, type: config.type },
      });
  }
}

function required(value: string | undefined, key: string, type: string): string {
  if (value === undefined || value === '') {
    throw new FloeError('CONFIG_INVALID', `a ${type} catalog needs a ${key}`, { context: { key, type } });
  }
  return value;
}
