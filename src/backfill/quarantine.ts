/**
 * The quarantine: rows of a window that fail a row-level rule of severity error never enter the target; they go,
 * with the names of the rules they failed and the run and window ids, to the Iceberg table
 * `<namespace>.<table>__quarantine` next to the target. A window's quarantined rows are one commit carrying the same
 * `floe.backfill.*` summary as the target's, so a resumed window does not quarantine its rows twice.
 */
import { FloeError } from '../errors.js';
import { writeTableDataFiles } from '../engine/table-data-files.js';
import type { Engine } from '../engine/duckdb-engine.js';
import { describeSource } from '../engine/write-projection.js';
import { quoteIdent, quoteString } from '../engine/sql-literals.js';
import type { Catalog, TableIdentifier } from '../iceberg/catalog/catalog.js';
import { currentSchema, defaultSpec } from '../iceberg/spec/table-metadata.js';
import { appendFiles } from '../iceberg/table/table-operations.js';
import { ensureIcebergTable } from './iceberg-target.js';
import { isAlreadyCommitted, notYetCommitted, windowSummary } from './window-commits.js';

/** Columns the quarantine adds to the source's. */
export const QUARANTINE_COLUMNS = ['__floe_failed_rules', '__floe_run_id', '__floe_window_id', '__floe_quarantined_at'] as const;

/** The quarantine table of a target table: `<namespace>.<table>__quarantine`. */
export function quarantineTableOf(target: TableIdentifier): TableIdentifier {
  return { namespace: target.namespace, name: `${target.name}__quarantine` };
}

/** The rows to quarantine with the run's columns, from the quality split's invalid rows (which name the rules). */
export function quarantineRelation(invalid: string, runId: string, windowId: string): string {
  return (
    `(SELECT *, ${quoteString(runId)} AS __floe_run_id, ${quoteString(windowId)} AS __floe_window_id, ` +
    `now() AS __floe_quarantined_at FROM ${invalid})`
  );
}

/**
 * Appends `relation`'s rows (already shaped by {@link quarantineRelation}) to the quarantine table as the window's
 * one quarantine commit. Returns the rows committed; 0 with `already` when an earlier attempt committed them.
 */
export async function writeQuarantine(
  catalog: Catalog,
  id: TableIdentifier,
  engine: Engine,
  relation: string,
  w: { runId: string; windowId: string; planHash: string },
): Promise<{ rows: bigint; already: boolean; snapshot_id?: string }> {
  const cols = await describeSource(engine, relation);
  // Every column optional: a quarantined row is typically one that broke a NOT NULL.
  const ct = await ensureIcebergTable(catalog, id, cols.map((c) => ({ name: c.name, type: c.type.toString(), nullable: true })));
  const md = ct.metadata;
  const schema = currentSchema(md);
  const spec = defaultSpec(md);
  const missing = schema.fields.filter((f) => !cols.some((c) => c.name === f.name)).map((f) => f.name);
  // The quarantine keeps the source's columns; columns the target later lost read as NULL, new ones are refused.
  const extra = cols.filter((c) => !schema.fields.some((f) => f.name === c.name));
  if (extra.length > 0) {
    throw new FloeError('SCHEMA_MISMATCH', `quarantine table ${id.namespace.join('.')}.${id.name} lacks columns ${extra.map((c) => c.name).join(', ')}`, {
      context: { differences: extra.map((c) => ({ column: c.name, expected: 'absent', actual: c.type })) },
    });
  }
  const source = missing.length === 0 ? relation : `(SELECT *, ${missing.map((m) => `NULL AS ${quoteIdent(m)}`).join(', ')} FROM ${relation})`;
  const written = await writeTableDataFiles(engine, ct.io, md, source);
  try {
    const committed = await appendFiles(catalog, id, ct.io, written.files, {
      specId: spec['spec-id'],
      summary: windowSummary(w.runId, w.windowId, w.planHash),
      validate: notYetCommitted(w.runId, w.windowId),
    });
    return { rows: written.rowCount, already: false, snapshot_id: committed.snapshot['snapshot-id'].toString() };
  } catch (err) {
    if (isAlreadyCommitted(err)) return { rows: 0n, already: true, snapshot_id: String(err.context.snapshot_id) };
    throw err;
  }
}
