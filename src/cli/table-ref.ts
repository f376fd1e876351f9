/**
 * Resolving what a user names as a table on the command line: a path (table directory or metadata file) or a
 * catalog table name (`db.events`) in the configured catalog.
 */
import { loadFloeConfig } from '../config/floe-config.js';
import type { Catalog } from '../iceberg/catalog/catalog.js';
import { looksLikeTableName, openCatalog, parseTableName } from '../iceberg/catalog/open-catalog.js';
import { LocalFileIO } from '../iceberg/io/local-file-io.js';
import { existsSync } from 'node:fs';
import { tableOf } from '../iceberg/table/commit.js';
import { openTable, type Table } from '../iceberg/table/table.js';

/** Options naming the config and catalog. */
export interface TableRefOptions {
  config?: string;
  catalog?: string;
}

/** Opens `ref` as a path when one exists there, else as a catalog table name. */
export async function openTableRef(ref: string, opts: TableRefOptions = {}): Promise<{ table: Table; close(): Promise<void> }> {
  if (!looksLikeTableName(ref) || existsSync(ref)) {
    const table = await openTable(new LocalFileIO(), ref, { allowGuessing: true });
    return { table, close: async () => undefined };
  }
  const catalog: Catalog = await openCatalog(await loadFloeConfig({ configPath: opts.config }), opts.catalog);
  try {
    const table = tableOf(await catalog.loadTable(parseTableName(ref)));
    return { table, close: () => catalog.close() };
  } catch (err) {
    await catalog.close();
    throw err;
  }
}
