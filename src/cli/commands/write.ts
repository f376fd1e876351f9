/**
 * `floe write <namespace.table> --from <file | 'sql query'> [--mode append|overwrite|upsert --key id[,id2] [--delete-files equality]] [--partition 'day(ts),bucket(16,id)']
 * [--no-create] [--overwrite-partitions | --overwrite-filter "region = 'eu'"] [--catalog name] [--config floe.yaml] [--json]`:
 * the iceberg.writer contract
 * from the command line.
 */
import { FloeError } from '../../errors.js';
import { loadFloeConfig } from '../../config/floe-config.js';
import { openCatalog } from '../../iceberg/catalog/open-catalog.js';
import { parsePartitionExpression } from '../../iceberg/spec/partition-builder.js';
import { writeIceberg, type IcebergWriterConfig } from '../../warehouses/iceberg/iceberg-writer.js';
import type { WriteInput } from '../../warehouses/iceberg/write-input.js';
import { parse } from '../args.js';
import type { CliIO } from '../main.js';

/** True when `--from` holds a query rather than file paths. */
function isQuery(text: string): boolean {
  return /^\s*(select|with|from|values|table|\()/i.test(text);
}

/** Runs `floe write`. */
export async function writeCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    from: { type: 'string', multiple: true },
    mode: { type: 'string' },
    partition: { type: 'string' },
    create: { type: 'boolean' },
    'no-create': { type: 'boolean' },
    'overwrite-partitions': { type: 'boolean' },
    'overwrite-filter': { type: 'string' },
    'schema-evolution': { type: 'string' },
    format: { type: 'string' },
    catalog: { type: 'string' },
    config: { type: 'string' },
    branch: { type: 'string' },
    key: { type: 'string' },
    'delete-files': { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length !== 1 || values.from === undefined) {
    throw new FloeError('INVALID_ARGUMENT', "usage: floe write <namespace.table> --from <file | 'sql query'> [--mode append|overwrite]");
  }
  const from = values.from as unknown as string[];
  const input: WriteInput =
    from.length === 1 && isQuery(from[0])
      ? { sql: from[0] }
      : { files: from, ...(values.format ? { format: values.format as 'parquet' | 'csv' | 'json' } : {}) };
  const mode = (values.mode as string | undefined) ?? 'append';
  if (mode !== 'append' && mode !== 'overwrite' && mode !== 'upsert') {
    throw new FloeError('INVALID_ARGUMENT', `--mode takes append, overwrite or upsert (merge is library-only), got ${mode}`);
  }
  if (mode === 'upsert' && values.key === undefined) throw new FloeError('INVALID_ARGUMENT', '--mode upsert needs --key id[,id2]');
  const config: IcebergWriterConfig = {
    table: positionals[0],
    write_mode: mode,
    create: values['no-create'] ? false : true,
    overwrite_partitions: Boolean(values['overwrite-partitions']),
    ...(values['overwrite-filter'] !== undefined ? { overwrite_filter: values['overwrite-filter'] as string } : {}),
    ...(values['schema-evolution'] !== undefined
      ? { schema_evolution: { enabled: true, mode: values['schema-evolution'] as 'strict' | 'permissive' } }
      : {}),
    ...(values.partition ? { partition_spec: parsePartitionExpression(values.partition as string) } : {}),
    ...(values.branch ? { branch: values.branch as string } : {}),
    ...(values.key !== undefined ? { key_columns: (values.key as string).split(',').map((k) => k.trim()).filter((k) => k !== '') } : {}),
    ...(values['delete-files'] !== undefined ? { delete_files: values['delete-files'] as 'position' | 'equality' } : {}),
  };
  const catalog = await openCatalog(await loadFloeConfig({ configPath: values.config as string | undefined }), values.catalog as string | undefined);
  try {
    const result = await writeIceberg(config, input, {}, { catalog });
    io.stdout(
      values.json
        ? `${JSON.stringify(result, null, 2)}\n`
        : `wrote ${result.rows_written} rows in ${result.files_written} files to ${config.table} (snapshot ${result.snapshot_id}, ${result.table_location})\n`,
    );
    return 0;
  } finally {
    await catalog.close();
  }
}
