/**
 * `floe table <subcommand>`: table operations. `inspect` describes a table found by path.
 */
import { FloeError } from '../../errors.js';
import { inspectTable } from '../../iceberg/table/inspect.js';
import type { SnapshotSelector } from '../../iceberg/table/table.js';
import { openTableRef } from '../table-ref.js';
import { loadFloeConfig } from '../../config/floe-config.js';
import { openCatalog, parseTableName } from '../../iceberg/catalog/open-catalog.js';
import { tableIcebergSchema } from '../../models/iceberg-schema.js';
import { openSource } from '../../sources/open-source.js';
import { stringifyJsonForOutput } from '../../util/json.js';
import { parse } from '../args.js';
import type { CliIO } from '../main.js';
import { renderInspection } from './render-inspection.js';
import { tableAlter } from './table-alter.js';
import { tableStorage } from './table-storage.js';

/** Runs `floe table ...`. */
export async function tableCommand(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'create') return tableCreate(rest, io);
  if (sub === 'alter') return tableAlter(rest, io);
  if (sub === 'storage') return tableStorage(rest, io);
  if (sub !== 'inspect') {
    throw new FloeError('INVALID_ARGUMENT', `unknown table command '${sub ?? ''}' (available: inspect, create, alter, storage)`);
  }
  const { values, positionals } = parse(rest, {
    json: { type: 'boolean' },
    snapshot: { type: 'string' },
    ref: { type: 'string' },
    catalog: { type: 'string' },
    config: { type: 'string' },
  });
  if (positionals.length !== 1) {
    throw new FloeError('INVALID_ARGUMENT', 'usage: floe table inspect <table path | metadata file> [--json]');
  }
  const selector: SnapshotSelector = {};
  if (values.snapshot !== undefined) {
    if (!/^-?\d+$/.test(String(values.snapshot))) throw new FloeError('INVALID_ARGUMENT', '--snapshot takes a snapshot id');
    selector.snapshotId = BigInt(String(values.snapshot));
  }
  if (values.ref !== undefined) selector.ref = String(values.ref);
  // A path (newest metadata file when there is no version hint) or a catalog table name.
  const { table, close } = await openTableRef(positionals[0], { config: values.config as string | undefined, catalog: values.catalog as string | undefined });
  try {
    const report = await inspectTable(table, selector);
    io.stdout(values.json ? `${stringifyJsonForOutput(report, 2)}\n` : renderInspection(report));
    return 0;
  } finally {
    await close();
  }
}

/**
 * `floe table create <ns.table> --from-source <url> --source-table <t>`: an Iceberg table whose schema is generated
 * from a database table (field ids in column order, identifier fields from the primary key).
 */
async function tableCreate(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    'from-source': { type: 'string' },
    'source-table': { type: 'string' },
    catalog: { type: 'string' },
    config: { type: 'string' },
  });
  if (positionals.length !== 1 || !values['from-source'] || !values['source-table']) {
    throw new FloeError('INVALID_ARGUMENT', 'usage: floe table create <ns.table> --from-source <url> --source-table <t>');
  }
  const id = parseTableName(positionals[0]);
  const source = await openSource(values['from-source'] as string);
  let schema;
  try {
    schema = await source.introspect({ tables: [values['source-table'] as string] });
  } finally {
    await source.close();
  }
  const catalog = await openCatalog(await loadFloeConfig({ configPath: values.config as string | undefined }), values.catalog as string | undefined);
  try {
    if (!(await catalog.namespaceExists(id.namespace))) await catalog.createNamespace(id.namespace);
    const created = await catalog.createTable(id, { schema: tableIcebergSchema(schema.tables[0]) });
    io.stdout(`created ${positionals[0]} at ${created.metadata.location}\n`);
    return 0;
  } finally {
    await catalog.close();
  }
}
