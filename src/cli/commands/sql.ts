/**
 * `floe sql "<SQL>"`: DuckDB SQL with Iceberg table functions. The whole result is computed before anything is
 * printed, so a failing statement leaves no partial output.
 */
import { readFile } from 'node:fs/promises';
import { FloeError } from '../../errors.js';
import { existsSync } from 'node:fs';
import { SqlSession } from '../../engine/sql-session.js';
import { loadFloeConfig, resolveCatalog } from '../../config/floe-config.js';
import { openCatalog } from '../../iceberg/catalog/open-catalog.js';
import { parse } from '../args.js';
import { parseFormat, renderResult } from '../render.js';
import type { CliIO } from '../main.js';

/** Runs `floe sql`. */
export async function sqlCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    format: { type: 'string', short: 'f' },
    file: { type: 'string' },
    json: { type: 'boolean' },
    catalog: { type: 'string' },
    config: { type: 'string' },
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
  // Catalog tables can be named in SQL; the catalog is opened only when a statement names one, and the embedded
  // default catalog only when it already exists (a query over paths never creates ./.floe).
  const catalog = async () => {
    const config = await loadFloeConfig({ configPath: values.config as string | undefined });
    const cc = resolveCatalog(config, values.catalog as string | undefined);
    if (!config.source && cc.type === 'sql' && cc.uri?.startsWith('sqlite:') && !existsSync(cc.uri.replace(/^sqlite:(\/\/)?/, ''))) {
      return undefined;
    }
    return openCatalog(config, values.catalog as string | undefined);
  };
  const session = await SqlSession.open({ catalog });
  try {
    const result = await session.execute(sql);
    io.stdout(renderResult(result, format));
    return 0;
  } finally {
    session.close();
  }
}
