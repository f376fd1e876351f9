/**
 * `floe delete <namespace.table> --where "<predicate>" [--mode copy-on-write|merge-on-read] [--branch b]
 * [--catalog name] [--config floe.yaml] [--json]`: row-level DELETE (docs/row-level-changes.md). The mode defaults
 * to the table's `write.delete.mode` (copy-on-write when unset).
 */
import { FloeError } from '../../errors.js';
import { loadFloeConfig } from '../../config/floe-config.js';
import { openCatalog, parseTableName } from '../../iceberg/catalog/open-catalog.js';
import { deleteRows } from '../../warehouses/iceberg/row-level/delete-rows.js';
import { parse } from '../args.js';
import type { CliIO } from '../main.js';

/** Runs `floe delete`. */
export async function deleteCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    where: { type: 'string' },
    mode: { type: 'string' },
    branch: { type: 'string' },
    catalog: { type: 'string' },
    config: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length !== 1 || values.where === undefined) {
    throw new FloeError('INVALID_ARGUMENT', 'usage: floe delete <namespace.table> --where "<predicate>" [--mode copy-on-write|merge-on-read] [--branch b] [--json]');
  }
  const mode = values.mode as string | undefined;
  if (mode !== undefined && mode !== 'copy-on-write' && mode !== 'merge-on-read') {
    throw new FloeError('INVALID_ARGUMENT', `--mode takes copy-on-write or merge-on-read, got ${mode}`);
  }
  const catalog = await openCatalog(await loadFloeConfig({ configPath: values.config as string | undefined }), values.catalog as string | undefined);
  try {
    const r = await deleteRows(catalog, parseTableName(positionals[0]), values.where as string, {
      ...(values.branch ? { branch: values.branch as string } : {}),
      ...(mode ? { mode } : {}),
    });
    io.stdout(
      values.json
        ? `${JSON.stringify(r, null, 2)}\n`
        : r.snapshot_id === null
          ? `no rows of ${positionals[0]} match: nothing deleted\n`
          : `deleted ${r.rows_deleted} rows from ${positionals[0]} (${r.mode}: ${r.files_rewritten} files rewritten, ` +
            `${r.files_removed} removed, ${r.delete_files_written} delete files written; snapshot ${r.snapshot_id})\n`,
    );
    return 0;
  } finally {
    await catalog.close();
  }
}
