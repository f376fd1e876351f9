/**
 * `floe write <namespace.table> --from <file | 'sql query'> [--mode append|overwrite|upsert --key id[,id2] [--delete-files equality]
 * | merge --merge spec.yaml] [--partition 'day(ts),bucket(16,id)']
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
import type { MergeSpec } from '../../warehouses/iceberg/row-level/merge-spec.js';
import { readFile, stat } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { parse } from '../args.js';
import type { CliIO } from '../main.js';

/** True when `--from` holds a query rather than file paths. */
function isQuery(text: string): boolean {
  return /^\s*(select|with|from|values|table|\()/i.test(text);
}

/**
 * The merge spec of `--merge`: a YAML or JSON file when one exists at that path, else the text itself as YAML (JSON
 * is YAML). `--key a,b` supplies `on` when the spec has none. The spec's shape is checked by the writer
 * (CONFIG_INVALID).
 */
async function readMergeSpec(arg: string, keys: string[] | undefined): Promise<MergeSpec> {
  let text = arg;
  try {
    if ((await stat(arg)).isFile()) text = await readFile(arg, 'utf8');
  } catch {
    // Not a file: inline YAML/JSON.
  }
  let spec: unknown;
  try {
    spec = parseYaml(text);
  } catch (cause) {
    throw new FloeError('CONFIG_INVALID', `--merge is neither a readable file nor valid YAML/JSON: ${(cause as Error).message}`, { cause, context: { key: 'merge' } });
  }
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new FloeError('CONFIG_INVALID', '--merge must be a mapping {on, when_matched, when_not_matched}', { context: { key: 'merge' } });
  }
  const withOn = spec as Partial<MergeSpec>;
  if (withOn.on === undefined && keys !== undefined) return { ...withOn, on: keys } as MergeSpec;
  if (withOn.on !== undefined && keys !== undefined) throw new FloeError('INVALID_ARGUMENT', 'give the merge keys once: in the spec (on) or as --key');
  return withOn as MergeSpec;
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
    merge: { type: 'string' },
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
  if (mode !== 'append' && mode !== 'overwrite' && mode !== 'upsert' && mode !== 'merge') {
    throw new FloeError('INVALID_ARGUMENT', `--mode takes append, overwrite, upsert or merge, got ${mode}`);
  }
  if (mode === 'upsert' && values.key === undefined) throw new FloeError('INVALID_ARGUMENT', '--mode upsert needs --key id[,id2]');
  if ((mode === 'merge') !== (values.merge !== undefined)) {
    throw new FloeError('INVALID_ARGUMENT', '--mode merge and --merge <spec.yaml | inline YAML/JSON> go together');
  }
  const keys = values.key === undefined ? undefined : (values.key as string).split(',').map((k) => k.trim()).filter((k) => k !== '');
  const merge = mode === 'merge' ? await readMergeSpec(values.merge as string, keys) : undefined;
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
    ...(keys !== undefined && mode !== 'merge' ? { key_columns: keys } : {}),
    ...(merge !== undefined ? { merge } : {}),
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
