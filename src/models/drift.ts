/**
 * Schema drift: what changed between a schema captured when models were generated and the database now. Pure.
 * A change is breaking when data valid for the old model may fail the new one or be lost: a dropped table or
 * column, a column becoming NOT NULL, a narrower or different type, a new CHECK or enum that removes values.
 */
import type { SourceColumn, SourceSchema, SourceTable } from '../sources/source-schema.js';

/** One difference. */
export interface DriftChange {
  kind: 'table-added' | 'table-dropped' | 'column-added' | 'column-dropped' | 'column-changed' | 'constraint-changed';
  table: string;
  column?: string;
  /** What changed, e.g. `type numeric(10,2) -> numeric(12,2)`, `nullable -> not null`. */
  detail: string;
  breaking: boolean;
}

/** The drift report. */
export interface DriftReport {
  drifted: boolean;
  breaking: boolean;
  previousFingerprint: string;
  currentFingerprint: string;
  changes: DriftChange[];
}

function widerOrSame(a: SourceColumn, b: SourceColumn): boolean {
  if (a.normalized !== b.normalized) {
    const order = ['smallint', 'integer', 'bigint', 'decimal'];
    const ia = order.indexOf(a.normalized);
    const ib = order.indexOf(b.normalized);
    if (ia >= 0 && ib > ia) return true;
    if (a.normalized === 'float' && b.normalized === 'double') return true;
    if (a.normalized === 'string' && b.normalized === 'text') return true;
    return false;
  }
  if (a.length !== undefined && (b.length === undefined || b.length >= a.length)) return true;
  if (a.length !== undefined && b.length !== undefined && b.length < a.length) return false;
  if (a.precision !== undefined && b.precision !== undefined) {
    return b.precision - (b.scale ?? 0) >= a.precision - (a.scale ?? 0) && (b.scale ?? 0) >= (a.scale ?? 0);
  }
  return true;
}

function compareColumns(table: string, before: SourceColumn, after: SourceColumn): DriftChange[] {
  const out: DriftChange[] = [];
  if (before.type !== after.type) {
    out.push({ kind: 'column-changed', table, column: after.name, detail: `type ${before.type} -> ${after.type}`, breaking: !widerOrSame(before, after) });
  }
  if (before.nullable !== after.nullable) {
    out.push({
      kind: 'column-changed',
      table,
      column: after.name,
      detail: before.nullable ? 'nullable -> not null' : 'not null -> nullable',
      breaking: before.nullable,
    });
  }
  return out;
}

function compareTables(before: SourceTable, after: SourceTable): DriftChange[] {
  const out: DriftChange[] = [];
  const name = after.name;
  const oldCols = new Map(before.columns.map((c) => [c.name, c]));
  const newCols = new Map(after.columns.map((c) => [c.name, c]));
  for (const [n, c] of newCols) {
    const o = oldCols.get(n);
    if (!o) out.push({ kind: 'column-added', table: name, column: n, detail: `${c.type}${c.nullable ? '' : ' not null'}`, breaking: !c.nullable && c.default === undefined });
    else out.push(...compareColumns(name, o, c));
  }
  for (const n of oldCols.keys()) {
    if (!newCols.has(n)) out.push({ kind: 'column-dropped', table: name, column: n, detail: 'dropped', breaking: true });
  }
  const checks = (t: SourceTable) => new Map(t.checks.map((c) => [c.name, c.sql]));
  const oc = checks(before);
  const nc = checks(after);
  for (const [n, sql] of nc) {
    if (oc.get(n) !== sql) out.push({ kind: 'constraint-changed', table: name, detail: `check ${n}: ${oc.get(n) ?? '(new)'} -> ${sql}`, breaking: true });
  }
  for (const n of oc.keys()) {
    if (!nc.has(n)) out.push({ kind: 'constraint-changed', table: name, detail: `check ${n} dropped`, breaking: false });
  }
  if (before.primary_keys.join(',') !== after.primary_keys.join(',')) {
    out.push({ kind: 'constraint-changed', table: name, detail: `primary key (${before.primary_keys.join(', ')}) -> (${after.primary_keys.join(', ')})`, breaking: true });
  }
  return out;
}

/** Compares the schema models were generated from with the current one. */
export function compareSchemas(previous: SourceSchema, current: SourceSchema): DriftReport {
  const changes: DriftChange[] = [];
  const key = (t: SourceTable) => `${t.schema ?? ''}.${t.name}`;
  const oldTables = new Map(previous.tables.map((t) => [key(t), t]));
  const newTables = new Map(current.tables.map((t) => [key(t), t]));
  for (const [k, t] of newTables) {
    const o = oldTables.get(k);
    if (!o) changes.push({ kind: 'table-added', table: t.name, detail: `${t.columns.length} columns`, breaking: false });
    else changes.push(...compareTables(o, t));
  }
  for (const [k, t] of oldTables) {
    if (!newTables.has(k)) changes.push({ kind: 'table-dropped', table: t.name, detail: 'dropped', breaking: true });
  }
  return {
    drifted: changes.length > 0,
    breaking: changes.some((c) => c.breaking),
    previousFingerprint: previous.fingerprint,
    currentFingerprint: current.fingerprint,
    changes,
  };
}
