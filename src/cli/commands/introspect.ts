/**
 * `floe introspect <url> [--table t...] [--json] [--exact-counts]`: a database's schema as floe reads it from the
 * database's own catalog. With one `--table` and `--json`, prints that table (columns, row_count, primary_keys,
 * foreign_keys, indexes, ...).
 */
import { FloeError } from '../../errors.js';
import { openSource } from '../../sources/open-source.js';
import { parse } from '../args.js';
import type { CliIO } from '../main.js';

/** Runs `floe introspect`. */
export async function introspectCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    table: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    'exact-counts': { type: 'boolean' },
  });
  if (positionals.length !== 1) throw new FloeError('INVALID_ARGUMENT', 'usage: floe introspect <url> [--table t] [--json]');
  const tables = values.table as unknown as string[] | undefined;
  const source = await openSource(positionals[0]);
  try {
    const schema = await source.introspect({ tables, exactCounts: Boolean(values['exact-counts']) });
    if (values.json) {
      io.stdout(`${JSON.stringify(tables?.length === 1 ? schema.tables[0] : schema, null, 2)}\n`);
      return 0;
    }
    const out: string[] = [`${schema.dialect} ${schema.database}  fingerprint ${schema.fingerprint.slice(0, 16)}`];
    for (const t of schema.tables) {
      const count = t.row_count === null ? '?' : `${t.row_count_exact ? '' : '~'}${t.row_count}`;
      out.push('', `${t.kind} ${t.schema ? `${t.schema}.` : ''}${t.name}  (${count} rows)${t.comment ? `  -- ${t.comment}` : ''}`);
      for (const c of t.columns) {
        const flags = [t.primary_keys.includes(c.name) ? 'PK' : '', c.nullable ? '' : 'NOT NULL', c.identity ? 'IDENTITY' : '', c.default ? `DEFAULT ${c.default}` : '']
          .filter(Boolean)
          .join(' ');
        out.push(`  ${c.name}: ${c.type}${flags ? `  ${flags}` : ''}${c.comment ? `  -- ${c.comment}` : ''}`);
      }
      for (const f of t.foreign_keys) out.push(`  FK ${f.name} (${f.columns.join(', ')}) -> ${f.referencedTable} (${f.referencedColumns.join(', ')})${f.onDelete ? ` ON DELETE ${f.onDelete}` : ''}`);
      for (const c of t.checks) out.push(`  CHECK ${c.name}: ${c.sql}`);
      for (const i of t.indexes) out.push(`  INDEX ${i.name}${i.unique ? ' UNIQUE' : ''} (${i.expression ?? i.columns.join(', ')})${i.where ? ` WHERE ${i.where}` : ''}`);
    }
    for (const e of schema.enums) out.push('', `enum ${e.name}: ${e.values.join(', ')}  (${e.origin})`);
    for (const w of schema.warnings) out.push(`warning ${w.code}: ${w.message}`);
    io.stdout(`${out.join('\n')}\n`);
    return 0;
  } finally {
    await source.close();
  }
}
