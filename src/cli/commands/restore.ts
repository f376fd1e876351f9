/**
 * `floe restore <table> <version | snapshot-id | time> [--json]`: point-in-time recovery of a catalog table. The
 * table's current state becomes the version's as a new snapshot on main; history is kept.
 */
import { FloeError } from '../../errors.js';
import { loadFloeConfig } from '../../config/floe-config.js';
import { openCatalog, parseTableName } from '../../iceberg/catalog/open-catalog.js';
import { restoreVersion } from '../../iceberg/table/restore.js';
import { stringifyJsonForOutput } from '../../util/json.js';
import { parse } from '../args.js';
import type { CliIO } from '../main.js';

/** Runs `floe restore`. */
export async function restoreCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' }, catalog: { type: 'string' }, config: { type: 'string' } });
  if (positionals.length !== 2) throw new FloeError('INVALID_ARGUMENT', 'usage: floe restore <table> <version | snapshot-id | time>');
  const [name, version] = positionals;
  const catalog = await openCatalog(await loadFloeConfig({ configPath: values.config as string | undefined }), values.catalog as string | undefined);
  try {
    const res = await restoreVersion(catalog, parseTableName(name), version);
    if (values.json) io.stdout(`${stringifyJsonForOutput(res, 2)}\n`);
    else if (!res.changed) io.stdout(`${name} already is ${version} (snapshot ${res.restored_snapshot_id}): nothing to do\n`);
    else {
      io.stdout(
        `restored ${name} to ${version} (snapshot ${res.restored_snapshot_id}) as snapshot ${res.snapshot_id}: ` +
          `${res.files_added} files added back, ${res.files_removed} removed${res.schema_changed ? `, schema ${res.schema_id} current again` : ''}\n`,
      );
    }
    return 0;
  } finally {
    await catalog.close();
  }
}
