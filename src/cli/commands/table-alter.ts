/**
 * `floe table alter <ns.table> <change>`: one schema change per call (spec: "Schema Evolution"), committed with
 * retries. Data files are not rewritten: readers match columns by field id.
 */
import { FloeError } from '../../errors.js';
import { loadFloeConfig } from '../../config/floe-config.js';
import { openCatalog, parseTableName } from '../../iceberg/catalog/open-catalog.js';
import type { SchemaUpdate } from '../../iceberg/spec/schema-update.js';
import { currentSchema } from '../../iceberg/spec/table-metadata.js';
import { alterTable } from '../../iceberg/table/alter-table.js';
import { parse } from '../args.js';
import type { CliIO } from '../main.js';

/** Usage of `floe table alter`. */
export const TABLE_ALTER_USAGE =
  'usage: floe table alter <ns.table> add-column <name> <type> [--after col] | rename-column <old> <new> | ' +
  'drop-column <name> | promote <name> <type> | set-identifier <col,col...>';

/** The change a `floe table alter` call asks for; throws `INVALID_ARGUMENT` with the usage when malformed. */
export function alterChange(args: string[], after?: string): (u: SchemaUpdate) => void {
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
      return (u) => u.deleteColumn(a);
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
    catalog: { type: 'string' },
    config: { type: 'string' },
  });
  if (positionals.length < 2) throw new FloeError('INVALID_ARGUMENT', TABLE_ALTER_USAGE);
  if (values.after !== undefined && positionals[1] !== 'add-column') {
    throw new FloeError('INVALID_ARGUMENT', '--after applies to add-column only');
  }
  const id = parseTableName(positionals[0]);
  const change = alterChange(positionals.slice(1), values.after as string | undefined);
  const catalog = await openCatalog(await loadFloeConfig({ configPath: values.config as string | undefined }), values.catalog as string | undefined);
  try {
    const res = await alterTable(catalog, id, change);
    const schema = currentSchema(res.metadata);
    io.stdout(`altered ${positionals[0]}: schema ${schema['schema-id']} (${schema.fields.map((f) => f.name).join(', ')})\n`);
    return 0;
  } finally {
    await catalog.close();
  }
}
