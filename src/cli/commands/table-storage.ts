/**
 * `floe table storage <table> [--json]`: bytes by kind of file over all retained snapshots and versioning's storage
 * overhead, `(metadata + deletes) / data` (iceberg/table/storage-report.ts). The table is a catalog name or a path.
 */
import { FloeError } from '../../errors.js';
import { tableStorageReport, type StorageItem } from '../../iceberg/table/storage-report.js';
import { stringifyJsonForOutput } from '../../util/json.js';
import { parse } from '../args.js';
import type { CliIO } from '../main.js';
import { openTableRef } from '../table-ref.js';

function human(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** Runs `floe table storage`. */
export async function tableStorage(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' }, catalog: { type: 'string' }, config: { type: 'string' } });
  if (positionals.length !== 1) throw new FloeError('INVALID_ARGUMENT', 'usage: floe table storage <table> [--json]');
  const { table, close } = await openTableRef(positionals[0], { config: values.config as string | undefined, catalog: values.catalog as string | undefined });
  try {
    const r = await tableStorageReport(table);
    if (values.json) {
      io.stdout(`${stringifyJsonForOutput(r, 2)}\n`);
      return 0;
    }
    const row = (label: string, item: StorageItem) => `${label.padEnd(16)}${String(item.files).padStart(8)} files ${human(item.bytes).padStart(12)}`;
    const lines = [
      `snapshots       ${String(r.snapshots).padStart(8)}`,
      row('metadata json', r.metadata_json) + (r.metadata_json_missing > 0 ? `  (${r.metadata_json_missing} logged files gone)` : ''),
      row('manifest lists', r.manifest_lists),
      row('manifests', r.manifests),
      ...(r.statistics.files > 0 ? [row('statistics', r.statistics)] : []),
      row('delete files', r.delete_files),
      row('data files', r.data_files),
      `overhead        ${(r.overhead * 100).toFixed(2)}% ((metadata + deletes) / data)`,
    ];
    io.stdout(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    await close();
  }
}
