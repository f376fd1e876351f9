/**
 * `floe table alter <ns.table> <change>`: one schema change per call (spec: "Schema Evolution"), committed with
 * retries. Data files are not rewritten: readers match columns by field id.
 */
import { FloeError } from '../../errors.js';
import { loadFloeConfig } from '../../config/floe-config.js';
import { openCatalog, parseTableName } from '../../iceberg/catalog/open-catalog.js';
import type { SchemaUpdate } from '../../iceberg/spec/schema-update.js';
import { currentSchema, defaultSpec, sortOrderById } from '../../iceberg/spec/table-metadata.js';
import { alterTable } from '../../iceberg/table/alter-table.js';
import { requireColumns } from '../../engine/require-columns.js';
import { parsePartitionExpression } from '../../iceberg/spec/partition-builder.js';
import type { PartitionSpecUpdate } from '../../iceberg/spec/partition-update.js';
import { parseSortExpression, type SortFieldInput } from '../../iceberg/spec/sort-order-update.js';
import { evolvePartitionSpec, replaceSortOrder } from '../../iceberg/table/evolve-table.js';
import { parse } from '../args.js';
import type { CliIO } from '../main.js';

/** Usage of `floe table alter`. */
export const TABLE_ALTER_USAGE =
  'usage: floe table alter <ns.table> add-column <name> <type> [--after col] | rename-column <old> <new> | ' +
  'drop-column <name> [--allow-partition-source] | promote <name> <type> | require-column <col,col...> | set-identifier <col,col...> | add-partition <expr, e.g. day(ts)> | ' +
  "drop-partition <field> | rename-partition <old> <new> | sort-by '<col> [asc|desc] [nulls first|last], ...'";

/** A partition or sort order change asked for by `floe table alter` (spec: "Partition Evolution", "Sorting"). */
export type LayoutChange = { kind: 'partition'; build: (u: PartitionSpecUpdate) => void } | { kind: 'sort'; fields: SortFieldInput[] };

/**
 * The partition/sort change of `add-partition`, `drop-partition`, `rename-partition` and `sort-by`, or undefined
 * for other ops; throws `INVALID_ARGUMENT` with the usage when malformed.
 */
export function layoutChange(args: string[]): LayoutChange | undefined {
  const [op, a, b] = args;
  const need = (n: number): void => {
    if (args.length !== n + 1) throw new FloeError('INVALID_ARGUMENT', TABLE_ALTER_USAGE, { context: { op } });
  };
  switch (op) {
    case 'add-partition': {
      need(1);
      const inputs = parsePartitionExpression(a);
      if (inputs.length === 0) throw new FloeError('INVALID_ARGUMENT', TABLE_ALTER_USAGE, { context: { op } });
      return { kind: 'partition', build: (u) => inputs.forEach((i) => u.addField(i.field, i.transform)) };
    }
    case 'drop-partition':
      need(1);
      return { kind: 'partition', build: (u) => u.removeField(a) };
    case 'rename-partition':
      need(2);
      return { kind: 'partition', build: (u) => u.renameField(a, b) };
    case 'sort-by':
      need(1);
      return { kind: 'sort', fields: parseSortExpression(a) };
    default:
      return undefined;
  }
}

/** The change a `floe table alter` call asks for; throws `INVALID_ARGUMENT` with the usage when malformed. */
export function alterChange(args: string[], after?: string, allowPartitionSource = false): (u: SchemaUpdate) => void {
  const [op, a, b] = args;
  const need = (n: number): void => {
    if (args.length !== n + 1) throw new FloeError('INVALID_ARGUMENT', TABLE_ALTER_USAGE, { context: { op } });
  };
  switch (op) {
    case 'add-column':
      need(2);
      return (u) => {
        u.addColumn(a, b);
        if (after !== undefined) u.moveAfter(a, after);
      };
    case 'rename-column':
      need(2);
      return (u) => u.renameColumn(a, b);
    case 'drop-column':
      need(1);
      return (u) => u.deleteColumn(a, { allowPartitionSource });
    case 'promote':
      need(2);
      return (u) => u.updateColumnType(a, b);
    case 'set-identifier':
      need(1);
      return (u) => u.setIdentifierFields(a.split(',').map((s) => s.trim()).filter((s) => s !== ''));
    default:
      throw new FloeError('INVALID_ARGUMENT', TABLE_ALTER_USAGE, { context: { op: op ?? '' } });
  }
}

/** Runs `floe table alter ...`. */
export async function tableAlter(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    after: { type: 'string' },
    'allow-partition-source': { type: 'boolean' },
    catalog: { type: 'string' },
    config: { type: 'string' },
  });
  if (positionals.length < 2) throw new FloeError('INVALID_ARGUMENT', TABLE_ALTER_USAGE);
  if (values.after !== undefined && positionals[1] !== 'add-column') {
    throw new FloeError('INVALID_ARGUMENT', '--after applies to add-column only');
  }
  const allowPartitionSource = Boolean(values['allow-partition-source']);
  if (allowPartitionSource && positionals[1] !== 'drop-column') {
    throw new FloeError('INVALID_ARGUMENT', '--allow-partition-source applies to drop-column only');
  }
  const id = parseTableName(positionals[0]);
  if (positionals[1] === 'require-column') return requireColumnCommand(positionals, values, io);
  const layout = layoutChange(positionals.slice(1));
  const change = layout === undefined ? alterChange(positionals.slice(1), values.after as string | undefined, allowPartitionSource) : undefined;
  const catalog = await openCatalog(await loadFloeConfig({ configPath: values.config as string | undefined }), values.catalog as string | undefined);
  try {
    if (layout?.kind === 'partition') {
      const spec = defaultSpec((await evolvePartitionSpec(catalog, id, layout.build)).metadata);
      const fields = spec.fields.map((f) => `${f.name}=${f.transform}`).join(', ');
      io.stdout(`altered ${positionals[0]}: partition spec ${spec['spec-id']} (${fields})\n`);
      return 0;
    }
    if (layout?.kind === 'sort') {
      const md = (await replaceSortOrder(catalog, id, layout.fields)).metadata;
      const order = sortOrderById(md, md['default-sort-order-id']);
      const fields = order.fields.map((f) => `${f.transform}(${f['source-id']}) ${f.direction} ${f['null-order']}`).join(', ');
      io.stdout(`altered ${positionals[0]}: sort order ${order['order-id']} (${fields})\n`);
      return 0;
    }
    if (change === undefined) throw new FloeError('INVALID_ARGUMENT', TABLE_ALTER_USAGE);
    const res = await alterTable(catalog, id, change);
    const schema = currentSchema(res.metadata);
    io.stdout(`altered ${positionals[0]}: schema ${schema['schema-id']} (${schema.fields.map((f) => f.name).join(', ')})\n`);
    return 0;
  } finally {
    await catalog.close();
  }
}

/** `floe table alter <t> require-column <col,col...>`: checks every branch for nulls, then makes them required. */
async function requireColumnCommand(positionals: string[], values: Record<string, unknown>, io: CliIO): Promise<number> {
  if (positionals.length !== 3) throw new FloeError('INVALID_ARGUMENT', TABLE_ALTER_USAGE, { context: { op: 'require-column' } });
  const columns = positionals[2].split(',').map((c) => c.trim()).filter((c) => c !== '');
  const catalog = await openCatalog(await loadFloeConfig({ configPath: values.config as string | undefined }), values.catalog as string | undefined);
  try {
    const res = await requireColumns(catalog, parseTableName(positionals[0]), columns);
    const schema = currentSchema(res.metadata);
    io.stdout(
      `altered ${positionals[0]}: schema ${schema['schema-id']}, ${columns.join(', ')} required ` +
        `(no nulls on ${res.branches.length} branch(es): ${res.filesRead} file(s) read, ${res.filesSkipped} proven by metrics)\n`,
    );
    return 0;
  } finally {
    await catalog.close();
  }
}
