/**
 * `floe reverse-etl --source <url> --table positions [--model Position] [--constraints qtyPositive,validTicker]
 * [--package model::trading] [--namespace ns] [--out dir] [--catalog name] [--config floe.yaml]`: the reverse-ETL
 * flow as one call; prints `{status, model_created, results[{action, result}]}` and exits non-zero on failure.
 */
import { FloeError } from '../../errors.js';
import { loadFloeConfig } from '../../config/floe-config.js';
import { openCatalog } from '../../iceberg/catalog/open-catalog.js';
import { reverseEtl } from '../../reverse-etl/reverse-etl.js';
import { parse } from '../args.js';
import type { CliIO } from '../main.js';

/** Runs `floe reverse-etl`. */
export async function reverseEtlCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(argv, {
    source: { type: 'string' },
    table: { type: 'string' },
    model: { type: 'string' },
    constraints: { type: 'string' },
    package: { type: 'string' },
    namespace: { type: 'string' },
    out: { type: 'string' },
    catalog: { type: 'string' },
    config: { type: 'string' },
  });
  if (!values.source || !values.table) throw new FloeError('INVALID_ARGUMENT', 'usage: floe reverse-etl --source <url> --table <t> [--model Name] [--constraints a,b] [--out dir]');
  const catalog = await openCatalog(await loadFloeConfig({ configPath: values.config as string | undefined }), values.catalog as string | undefined);
  try {
    const res = await reverseEtl(
      {
        source: values.source as string,
        source_table: values.table as string,
        model_name: values.model as string | undefined,
        constraints: typeof values.constraints === 'string' ? values.constraints.split(',').map((s) => s.trim()).filter(Boolean) : [],
        package: values.package as string | undefined,
        namespace: values.namespace as string | undefined,
        out: values.out as string | undefined,
      },
      catalog,
    );
    io.stdout(`${JSON.stringify(res, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
    return res.status === 'success' ? 0 : 1;
  } finally {
    await catalog.close();
  }
}
