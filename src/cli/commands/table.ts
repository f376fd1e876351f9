/**
 * `floe table <subcommand>`: table operations. `inspect` describes a table found by path.
 */
import { FloeError } from '../../errors.js';
import { inspectTable } from '../../iceberg/table/inspect.js';
import type { SnapshotSelector } from '../../iceberg/table/table.js';
import { openTableRef } from '../table-ref.js';
import { stringifyJsonForOutput } from '../../util/json.js';
import { parse } from '../args.js';
import type { CliIO } from '../main.js';
import { renderInspection } from './render-inspection.js';

/** Runs `floe table ...`. */
export async function tableCommand(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'inspect') {
    throw new FloeError('INVALID_ARGUMENT', `unknown table command '${sub ?? ''}' (available: inspect)`);
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
