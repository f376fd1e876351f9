/**
 * Making columns required once the data shows no nulls there. The spec allows only required-to-optional
 * unconditionally ("Schema Evolution"), while identifier fields, a table's primary key, must be required
 * ("Identifier Field IDs"); tables created from query results have every column optional. So the change is made
 * after a check: on the head of every branch (branches read with the current schema), a scan counts the rows where
 * the column is null and every struct holding it is not (a field of a null struct is absent, not null). Files whose
 * metrics prove no nulls are pruned before anything is read. The commit asserts each branch head it checked, so a
 * write committed in between makes it check again on the new state, and writes after it are refused nulls by the
 * writer (SCHEMA_MISMATCH).
 */
import { FloeError } from '../errors.js';
import type { Catalog, TableIdentifier } from '../iceberg/catalog/catalog.js';
import type { Expression } from '../iceberg/expr/expression.js';
import { findFieldByName } from '../iceberg/spec/schema.js';
import { schemaChangeUpdates } from '../iceberg/spec/schema-update.js';
import type { TableRequirement } from '../iceberg/spec/table-update.js';
import { currentSchema } from '../iceberg/spec/table-metadata.js';
import { commitWithRetry, type CommitOutcome } from '../iceberg/table/commit.js';
import { planScan } from '../iceberg/table/scan-planner.js';
import type { Table } from '../iceberg/table/table.js';
import { Engine } from './duckdb-engine.js';
import { buildScanSql, scanColumnNames } from './scan-sql.js';
import { quoteIdent } from './sql-literals.js';

/** What {@link requireColumns} checked and committed. */
export interface RequireColumnsResult extends CommitOutcome {
  /** Branches whose heads were checked (on the attempt that committed). */
  branches: string[];
  /** Data files read to look for nulls; the rest were proven null-free by their metrics. */
  filesRead: number;
  filesSkipped: number;
}

/** Options of {@link requireColumns}. */
export interface RequireColumnsOptions {
  engine?: Engine;
}

interface Checked {
  /** The SQL predicate over the scan's columns that holds for a null in the column where it can be one. */
  isNull: string;
  /** Top-level columns only: the pruning filter (metrics' null counts). */
  filter?: Expression;
}

function checkedColumn(table: Table, column: string): Checked {
  const schema = currentSchema(table.metadata);
  const found = findFieldByName(schema, column);
  if (!found) throw new FloeError('INVALID_ARGUMENT', `no column named '${column}'`, { context: { column } });
  // Only struct fields: each step of the path must be a struct field (no list elements or map values).
  let fields = schema.fields;
  const sql: string[] = [];
  for (const [i, step] of found.path.entries()) {
    const f = fields.find((x) => x.name === step);
    if (!f) throw new FloeError('INVALID_ARGUMENT', `'${column}': only struct fields can be made required`, { context: { column } });
    sql.push(i === 0 ? quoteIdent(scanColumnNames(schema).get(f.id)!) : `${sql[i - 1]}.${quoteIdent(step)}`);
    if (i < found.path.length - 1) {
      if (typeof f.type === 'string' || f.type.type !== 'struct') {
        throw new FloeError('INVALID_ARGUMENT', `'${column}': only struct fields can be made required`, { context: { column } });
      }
      fields = f.type.fields;
    }
  }
  const ancestors = sql.slice(0, -1).map((a) => `${a} IS NOT NULL`);
  return {
    isNull: [...ancestors, `${sql[sql.length - 1]} IS NULL`].join(' AND '),
    ...(found.path.length === 1 ? { filter: { kind: 'is-null', column: found.path[0] } as Expression } : {}),
  };
}

/**
 * Makes `columns` (names, dotted for nested struct fields) required in the table's current schema after checking
 * that no branch holds a null in them. Errors: INVALID_ARGUMENT for an unknown column, a list element or map value,
 * and for a column holding nulls (with the count per branch); COMMIT_CONFLICT when commits keep racing it.
 */
export async function requireColumns(
  catalog: Catalog,
  id: TableIdentifier,
  columns: string[],
  opts: RequireColumnsOptions = {},
): Promise<RequireColumnsResult> {
  if (columns.length === 0) throw new FloeError('INVALID_ARGUMENT', 'name at least one column to make required');
  const engine = opts.engine ?? (await Engine.create());
  let branches: string[] = [];
  let filesRead = 0;
  let filesSkipped = 0;
  try {
    const outcome = await commitWithRetry(catalog, id, async (table) => {
      const md = table.metadata;
      const checks = columns.map((c) => ({ column: c, ...checkedColumn(table, c) }));
      branches = Object.keys(md.refs).filter((r) => md.refs[r].type === 'branch').sort();
      filesRead = 0;
      filesSkipped = 0;
      // A table with no snapshot yet: its first commit must not slip in between the check and this commit.
      const requirements: TableRequirement[] = md.refs.main ? [] : [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null }];
      for (const branch of branches) {
        requirements.push({ type: 'assert-ref-snapshot-id', ref: branch, 'snapshot-id': md.refs[branch]['snapshot-id'] });
        for (const c of checks) {
          const nulls = await countNulls(engine, table, branch, c);
          filesRead += nulls.read;
          filesSkipped += nulls.skipped;
          if (nulls.count > 0n) {
            throw new FloeError('INVALID_ARGUMENT', `cannot make '${c.column}' required: ${nulls.count} row(s) of branch '${branch}' hold null there`, {
              context: { column: c.column, branch, nulls: nulls.count.toString() },
            });
          }
        }
      }
      const change = schemaChangeUpdates(md, (u) => {
        for (const c of columns) u.requireColumn(c, { checkedNoNulls: true });
      });
      return { updates: change.updates, requirements: [...change.requirements, ...requirements] };
    });
    return { ...outcome, branches, filesRead, filesSkipped };
  } finally {
    if (!opts.engine) engine.close();
  }
}

async function countNulls(engine: Engine, table: Table, branch: string, c: Checked): Promise<{ count: bigint; read: number; skipped: number }> {
  const plan = await planScan(table, { ref: branch, ...(c.filter ? { filter: c.filter } : {}) });
  if (plan.tasks.length === 0) return { count: 0n, read: 0, skipped: plan.skipped.length };
  const scan = await buildScanSql(engine, table, plan);
  try {
    const rows = await (await engine.run(`SELECT count(*) FROM ${scan.sql} AS t WHERE ${c.isNull}`)).getRows();
    return { count: BigInt(rows[0][0] as bigint | number), read: plan.tasks.length, skipped: plan.skipped.length };
  } finally {
    await scan.cleanup();
  }
}
