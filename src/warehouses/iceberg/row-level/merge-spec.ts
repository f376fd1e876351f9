/**
 * The merge specification of `write_mode: merge` (SQL MERGE semantics) and the upsert it generalizes. Incoming
 * rows are matched with table rows by key columns (`on: ['id']`, null keys never match) or by a DuckDB condition
 * over `t` (the table row) and `s` (the incoming row). For each matched pair the first `when_matched` clause whose
 * condition holds acts (update, optionally with `set` expressions; or delete); a pair no clause takes stays as it
 * is. Each unmatched incoming row is inserted when some `when_not_matched` clause's condition holds. Upsert is
 * `on: key_columns`, update all, insert all.
 */
import { FloeError } from '../../../errors.js';

/** A WHEN MATCHED clause. */
export type MatchedClause =
  | { condition?: string; action: 'update'; /** column -> DuckDB expression over `t` and `s`; absent: every column from `s` */ set?: Record<string, string> }
  | { condition?: string; action: 'delete' };

/** A WHEN NOT MATCHED clause (inserts the incoming row). */
export interface NotMatchedClause {
  condition?: string;
  action: 'insert';
}

/** A merge: how rows match and what happens then. */
export interface MergeSpec {
  /** Key columns (present in the table and the incoming rows), or a DuckDB condition over `t` and `s`. */
  on: string[] | string;
  when_matched?: MatchedClause[];
  when_not_matched?: NotMatchedClause[];
}

/** The merge an upsert by `keys` is. */
export function upsertSpec(keys: string[]): MergeSpec {
  return { on: keys, when_matched: [{ action: 'update' }], when_not_matched: [{ action: 'insert' }] };
}

function bad(message: string, key: string): FloeError {
  return new FloeError('CONFIG_INVALID', message, { context: { key } });
}

/** Checks a merge spec's shape (columns are checked against the table later). Errors: CONFIG_INVALID. */
export function checkMergeSpec(spec: MergeSpec | undefined): MergeSpec {
  if (!spec || typeof spec !== 'object') throw bad('write_mode merge needs a merge spec (merge: {on, when_matched, when_not_matched})', 'merge');
  if (Array.isArray(spec.on)) {
    if (spec.on.length === 0 || !spec.on.every((k) => typeof k === 'string' && k !== '')) {
      throw bad('merge.on must list key columns or be a condition', 'merge.on');
    }
  } else if (typeof spec.on !== 'string' || spec.on.trim() === '') {
    throw bad('merge.on must list key columns or be a condition', 'merge.on');
  }
  const matched = spec.when_matched ?? [];
  const notMatched = spec.when_not_matched ?? [];
  if (matched.length === 0 && notMatched.length === 0) throw bad('a merge needs at least one when_matched or when_not_matched clause', 'merge');
  for (const c of matched) {
    if (c.action !== 'update' && c.action !== 'delete') {
      throw bad(`when_matched actions are update or delete, got ${JSON.stringify((c as { action?: unknown }).action)}`, 'merge.when_matched');
    }
    if (c.condition !== undefined && (typeof c.condition !== 'string' || c.condition.trim() === '')) {
      throw bad('a clause condition must be a non-empty SQL expression', 'merge.when_matched');
    }
  }
  for (const c of notMatched) {
    if (c.action !== 'insert') throw bad(`when_not_matched actions are insert, got ${JSON.stringify(c.action)}`, 'merge.when_not_matched');
    if (c.condition !== undefined && (typeof c.condition !== 'string' || c.condition.trim() === '')) {
      throw bad('a clause condition must be a non-empty SQL expression', 'merge.when_not_matched');
    }
  }
  return spec;
}

/** An upsert: one unconditional update of every column from the incoming row, and at most one unconditional insert. */
export function isPlainUpsert(spec: MergeSpec): boolean {
  const m = spec.when_matched ?? [];
  const n = spec.when_not_matched ?? [];
  return (
    m.length === 1 && m[0].action === 'update' && !m[0].condition && m[0].set === undefined && n.length === 1 && !n[0].condition
  );
}
