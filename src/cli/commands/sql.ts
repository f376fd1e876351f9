/**
 * `floe sql "<SQL>"`: DuckDB SQL with Iceberg table functions. The whole result is computed before anything is
 * printed, so a failing statement leaves no partial output.
 */
import { readFile } from 'node:fs/promises';
import { FloeError } from '../../errors.js';
import { SqlSession } from '../../engine/sql-session.js';
import { parse } from '../args.js';
import { parseFormat, renderResult } from '../render.js';
import type { CliIO } from '../main.js';

/** Runs `floe sql`. */
export async function sqlCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    format: { type: 'string', short: 'f' },
    file: { type: 'string' },
    json: { type: 'boolean' },
  });
  const format = parseFormat(values.json ? 'json' : ((values.format as string | undefined) ?? 'table'));
  let sql: string;
  if (values.file) {
    if (positionals.length > 0) throw new FloeError('INVALID_ARGUMENT', 'give SQL either as an argument or with --file, not both');
    try {
      sql = await readFile(values.file as string, 'utf8');
    } catch (cause) {
      throw new FloeError('NOT_FOUND', `cannot read SQL file ${String(values.file)}`, { cause });
    }
  } else {
    if (positionals.length !== 1) throw new FloeError('INVALID_ARGUMENT', 'usage: floe sql "<SQL>" [--format table|json|csv|tsv]');
    sql = positionals[0];
  }
  const session = await SqlSession.open();
  try {
    const result = await session.execute(sql);
    io.stdout(renderResult(result, format));
    return 0;
  } finally {
    session.close();
  }
}
