/**
 * `floe diff <table> <from> [<to>] [--as-of <version>] [--key id[,..]] [--rows [N]] [--json]`: compares two
 * versions of a table (a tag or branch, a snapshot id, or an ISO time each); `<to>` defaults to the current state,
 * and `--as-of v` alone compares v with the current state. The table is a catalog name or a table path.
 */
import { FloeError } from '../../errors.js';
import { Engine } from '../../engine/duckdb-engine.js';
import { diffTableVersions, type VersionDiff } from '../../engine/table-diff.js';
import type { SchemaChange } from '../../iceberg/spec/schema-diff.js';
import type { VersionRef } from '../../iceberg/table/versions.js';
import { stringifyJsonForOutput } from '../../util/json.js';
import { parse } from '../args.js';
import type { CliIO } from '../main.js';
import { openTableRef } from '../table-ref.js';

const USAGE = 'usage: floe diff <table> <from> [<to>] [--as-of <version>] [--key col[,col]] [--rows [N]] [--json]';

/** `--rows` takes an optional count: `--rows`, `--rows 20`, `--rows=20`. */
function splitRows(argv: string[]): { argv: string[]; rows?: boolean | number } {
  const out: string[] = [];
  let rows: boolean | number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--rows(?:=(.*))?$/.exec(a);
    if (!m) {
      out.push(a);
      continue;
    }
    let v = m[1];
    if (v === undefined && /^\d+$/.test(argv[i + 1] ?? '')) v = argv[++i];
    if (v !== undefined && !/^\d+$/.test(v)) throw new FloeError('INVALID_ARGUMENT', `--rows takes a row count, got '${v}'`);
    rows = v === undefined ? true : Number(v);
  }
  return { argv: out, rows };
}

const json = (v: unknown) => stringifyJsonForOutput(v);

function describeChange(c: SchemaChange): string {
  switch (c.change) {
    case 'added':
    case 'dropped':
      return `${c.change} ${c.name} ${c.type} (field ${c.field_id})`;
    case 'renamed':
      return `renamed ${c.from_name} -> ${c.name} (field ${c.field_id})`;
    case 'promoted':
      return `promoted ${c.name} ${c.from_type} -> ${c.type} (field ${c.field_id})`;
    case 'identifier_fields':
      return `identifier fields [${c.from_ids?.join(', ')}] -> [${c.to_ids?.join(', ')}]`;
    default:
      return `${c.change} ${c.name} (field ${c.field_id})`;
  }
}

function renderDiff(d: VersionDiff): string {
  const side = (s: VersionDiff['from']) => `${s.version} (snapshot ${s.snapshot_id}, ${s.committed_at}, schema ${s.schema_id})`;
  const lines = [
    `from ${side(d.from)}`,
    `to   ${side(d.to)}`,
    `rows added: ${d.rows_added}, removed: ${d.rows_removed}, modified: ${d.rows_modified}${d.key ? ` (key ${d.key.join(', ')})` : ' (by content)'}`,
    `schema changes: ${d.schema_changes.length === 0 ? 'none' : ''}`,
    ...d.schema_changes.map((c) => `  ${describeChange(c)}`),
  ];
  if (d.added) lines.push(...d.added.map((r) => `+ ${json(r)}`));
  if (d.removed) lines.push(...d.removed.map((r) => `- ${json(r)}`));
  if (d.modified) lines.push(...d.modified.map((m) => `~ ${json(m.key)}: ${json(m.from)} -> ${json(m.to)}`));
  return `${lines.join('\n')}\n`;
}

/** Runs `floe diff`. */
export async function diffCommand(argv: string[], io: CliIO): Promise<number> {
  const pre = splitRows(argv);
  const { values, positionals } = parse(pre.argv, {
    key: { type: 'string' },
    'as-of': { type: 'string' },
    json: { type: 'boolean' },
    catalog: { type: 'string' },
    config: { type: 'string' },
  });
  const asOf = values['as-of'] as string | undefined;
  let from: VersionRef;
  let to: VersionRef = {};
  if (asOf !== undefined) {
    if (positionals.length !== 1) throw new FloeError('INVALID_ARGUMENT', `${USAGE} (--as-of replaces <from> and <to>)`);
    from = asOf;
  } else {
    if (positionals.length < 2 || positionals.length > 3) throw new FloeError('INVALID_ARGUMENT', USAGE);
    from = positionals[1];
    if (positionals[2] !== undefined) to = positionals[2];
  }
  const key = values.key === undefined ? undefined : String(values.key).split(',').map((k) => k.trim()).filter((k) => k !== '');
  if (key !== undefined && key.length === 0) throw new FloeError('INVALID_ARGUMENT', '--key names no column');
  const { table, close } = await openTableRef(positionals[0], { config: values.config as string | undefined, catalog: values.catalog as string | undefined });
  const engine = await Engine.create();
  try {
    const d = await diffTableVersions(table, from, to, { engine, ...(key ? { key } : {}), ...(pre.rows !== undefined ? { rows: pre.rows } : {}) });
    io.stdout(values.json ? `${stringifyJsonForOutput(d, 2)}\n` : renderDiff(d));
    return 0;
  } finally {
    engine.close();
    await close();
  }
}
