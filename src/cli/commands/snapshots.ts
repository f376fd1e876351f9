/**
 * `floe snapshots <table> [--json]`: a table's snapshots (id, parent, sequence number, time, operation, summary
 * counts) and which refs point at each, for a catalog table name or a table path.
 */
import { FloeError } from '../../errors.js';
import { stringifyJsonForOutput } from '../../util/json.js';
import { parse } from '../args.js';
import type { CliIO } from '../main.js';
import { renderResult } from '../render.js';
import { openTableRef } from '../table-ref.js';

/** Runs `floe snapshots`. */
export async function snapshotsCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' }, catalog: { type: 'string' }, config: { type: 'string' } });
  if (positionals.length !== 1) throw new FloeError('INVALID_ARGUMENT', 'usage: floe snapshots <table> [--json]');
  const { table, close } = await openTableRef(positionals[0], { config: values.config as string | undefined, catalog: values.catalog as string | undefined });
  try {
    const md = table.metadata;
    const refsOf = (id: bigint) => Object.entries(md.refs).filter(([, r]) => r['snapshot-id'] === id).map(([n]) => n);
    const rows = md.snapshots.map((s) => ({
      snapshot_id: s['snapshot-id'],
      parent_id: s['parent-snapshot-id'] ?? null,
      sequence_number: s['sequence-number'],
      committed_at: new Date(Number(s['timestamp-ms'])).toISOString(),
      operation: s.summary?.operation ?? '',
      added_records: s.summary?.['added-records'] ?? null,
      total_records: s.summary?.['total-records'] ?? null,
      refs: refsOf(s['snapshot-id']).join(','),
    }));
    if (values.json) {
      io.stdout(`${stringifyJsonForOutput(rows, 2)}\n`);
    } else {
      const cols = ['snapshot_id', 'parent_id', 'sequence_number', 'committed_at', 'operation', 'added_records', 'total_records', 'refs'];
      io.stdout(
        renderResult(
          {
            columns: cols.map((name) => ({ name, type: /records|_id|number/.test(name) ? 'BIGINT' : 'VARCHAR' })),
            text: rows.map((r) => cols.map((c) => { const v = (r as Record<string, unknown>)[c]; return v === null ? null : String(v); })),
            json: [],
          },
          'table',
        ),
      );
    }
    return 0;
  } finally {
    await close();
  }
}
