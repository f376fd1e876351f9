/**
 * Data quality rules: their shape, their validation, and how a failing count becomes pass / warn / fail.
 *
 * Thresholds follow dbt's `error_if` / `warn_if` (a rule triggers when its failing count or percent exceeds the
 * threshold; both default to "more than 0") and Great Expectations' `mostly` (the fraction of checked rows that must
 * pass; a rule within it passes). Pure code: no I/O.
 */
import { FloeError, type FloeErrorCode } from '../errors.js';

/** The kinds of rule. */
export type RuleType =
  | 'not_null' | 'unique' | 'range' | 'regex' | 'accepted_values' | 'max_length'
  | 'relationship' | 'row_count' | 'freshness' | 'expression';

/** All rule types, in documentation order. */
export const RULE_TYPES: readonly RuleType[] = [
  'not_null', 'unique', 'range', 'regex', 'accepted_values', 'max_length', 'relationship', 'row_count', 'freshness', 'expression',
];

/** A threshold: the rule triggers when the failing count exceeds `count` or the failing percent exceeds `percent`. */
export interface Threshold {
  count?: number;
  percent?: number;
}

/** A data quality rule. Per-type keys are listed in docs/quality.md. */
export interface QualityRule {
  name: string;
  type: RuleType;
  column?: string;
  columns?: string[];
  /** Default `error`. A `warn` rule never fails a validation. */
  severity: 'error' | 'warn';
  error_if?: Threshold;
  warn_if?: Threshold;
  /** Fraction (0..1) of checked rows that must pass. */
  mostly?: number;
  [k: string]: unknown;
}

/** Rules evaluated per row: a row fails them or not; they decide `valid_records` and quarantine. */
export const ROW_LEVEL_TYPES: ReadonlySet<RuleType> = new Set<RuleType>([
  'not_null', 'range', 'regex', 'accepted_values', 'max_length', 'relationship', 'expression',
]);

/** Whether `rule` is evaluated row by row (as opposed to over the whole relation: unique, row_count, freshness). */
export function isRowLevel(rule: QualityRule): boolean {
  return ROW_LEVEL_TYPES.has(rule.type);
}

// `source` records where a derived rule came from (a CHECK, a foreign key, a model constraint).
const COMMON_KEYS = ['name', 'type', 'column', 'columns', 'severity', 'error_if', 'warn_if', 'mostly', 'description', 'source'];
const TYPE_KEYS: Record<RuleType, string[]> = {
  not_null: [],
  unique: [],
  range: ['min', 'max', 'min_inclusive', 'max_inclusive'],
  regex: ['pattern'],
  accepted_values: ['values'],
  max_length: ['max'],
  relationship: ['to'],
  row_count: ['min_rows', 'max_rows'],
  freshness: ['max_age'],
  expression: ['sql'],
};
const NEEDS_COLUMN: ReadonlySet<RuleType> = new Set<RuleType>([
  'not_null', 'unique', 'range', 'regex', 'accepted_values', 'max_length', 'relationship', 'freshness',
]);

/** The columns a rule reads (`columns`, else `column`). */
export function ruleColumns(rule: QualityRule): string[] {
  if (Array.isArray(rule.columns) && rule.columns.length > 0) return rule.columns;
  return typeof rule.column === 'string' ? [rule.column] : [];
}

/** Parses a duration like `90s`, `30m`, `24h`, `7d`, `2w` (or a number of seconds) into seconds. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|w|weeks?)\s*$/i.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2].toLowerCase()[0];
  const factor = unit === 's' ? 1 : unit === 'm' ? 60 : unit === 'h' ? 3600 : unit === 'd' ? 86400 : 604800;
  return n > 0 ? n * factor : undefined;
}

/**
 * Checks a rule's shape and fills defaults (`severity: error`, `name` from type and columns). `where` prefixes
 * messages (`rules[2]`); errors carry `code` (CONFIG_INVALID for files, INVALID_ARGUMENT for programs) and
 * `context.path` naming the offending key.
 */
export function normalizeRule(raw: unknown, where = 'rule', code: FloeErrorCode = 'INVALID_ARGUMENT'): QualityRule {
  const fail = (key: string | undefined, message: string): never => {
    const path = key === undefined ? where : `${where}.${key}`;
    throw new FloeError(code, `${path}: ${message}`, { context: { path } });
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(undefined, 'a rule must be a mapping');
  const r = raw as Record<string, unknown>;
  const type = r.type;
  if (typeof type !== 'string' || !(RULE_TYPES as readonly string[]).includes(type)) {
    fail('type', `type must be one of ${RULE_TYPES.join(', ')} (got ${JSON.stringify(type)})`);
  }
  const t = type as RuleType;
  const allowed = new Set([...COMMON_KEYS, ...TYPE_KEYS[t]]);
  for (const key of Object.keys(r)) {
    if (!allowed.has(key)) fail(key, `unknown key for a ${t} rule (allowed: ${[...allowed].join(', ')})`);
  }
  const out: QualityRule = { ...r, name: '', type: t, severity: 'error' };
  if (r.column !== undefined && (typeof r.column !== 'string' || r.column === '')) fail('column', 'column must be a non-empty string');
  if (r.columns !== undefined) {
    if (!Array.isArray(r.columns) || r.columns.length === 0 || !r.columns.every((c) => typeof c === 'string' && c !== '')) {
      fail('columns', 'columns must be a non-empty list of column names');
    }
    if (r.column !== undefined) fail('columns', 'give column or columns, not both');
  }
  const cols = ruleColumns(out);
  if (NEEDS_COLUMN.has(t) && cols.length === 0) fail('column', `a ${t} rule needs a column`);
  if (['range', 'regex', 'accepted_values', 'max_length', 'freshness'].includes(t) && cols.length > 1) {
    fail('columns', `a ${t} rule takes one column`);
  }
  if (r.severity !== undefined) {
    if (r.severity !== 'error' && r.severity !== 'warn') fail('severity', "severity must be 'error' or 'warn'");
    out.severity = r.severity as 'error' | 'warn';
  }
  for (const key of ['error_if', 'warn_if'] as const) {
    const th = r[key];
    if (th === undefined) continue;
    if (th === null || typeof th !== 'object' || Array.isArray(th)) fail(key, 'a threshold is a mapping {count, percent}');
    const o = th as Record<string, unknown>;
    for (const k of Object.keys(o)) if (k !== 'count' && k !== 'percent') fail(`${key}.${k}`, 'a threshold has only count and percent');
    if (o.count === undefined && o.percent === undefined) fail(key, 'a threshold needs count or percent');
    if (o.count !== undefined && !(Number.isInteger(o.count) && (o.count as number) >= 0)) fail(`${key}.count`, 'count must be an integer >= 0');
    if (o.percent !== undefined && !(typeof o.percent === 'number' && o.percent >= 0 && o.percent <= 100)) fail(`${key}.percent`, 'percent must be a number from 0 to 100');
  }
  if (r.mostly !== undefined && !(typeof r.mostly === 'number' && r.mostly >= 0 && r.mostly <= 1)) fail('mostly', 'mostly must be a number from 0 to 1');
  const num = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
  switch (t) {
    case 'range': {
      if (r.min === undefined && r.max === undefined) fail(undefined, 'a range rule needs min or max');
      for (const k of ['min', 'max']) {
        if (r[k] !== undefined && !num(r[k]) && typeof r[k] !== 'string') fail(k, `${k} must be a number (or a date/time string)`);
      }
      for (const k of ['min_inclusive', 'max_inclusive']) if (r[k] !== undefined && typeof r[k] !== 'boolean') fail(k, `${k} must be true or false`);
      if (num(r.min) && num(r.max) && (r.min as number) > (r.max as number)) fail('min', 'min is greater than max');
      break;
    }
    case 'regex': {
      if (typeof r.pattern !== 'string' || r.pattern === '') fail('pattern', 'a regex rule needs a pattern string');
      try {
        new RegExp(r.pattern as string, 'u');
      } catch (err) {
        fail('pattern', `invalid regular expression: ${(err as Error).message}`);
      }
      break;
    }
    case 'accepted_values': {
      const v = r.values;
      if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string' || typeof x === 'boolean' || num(x))) {
        fail('values', 'accepted_values needs a non-empty list of strings, numbers or booleans');
      }
      break;
    }
    case 'max_length':
      if (!(Number.isInteger(r.max) && (r.max as number) >= 0)) fail('max', 'max_length needs max, an integer >= 0');
      break;
    case 'relationship': {
      const to = r.to;
      if (to === null || typeof to !== 'object' || Array.isArray(to)) fail('to', 'relationship needs to: {table, column | columns}');
      const o = to as Record<string, unknown>;
      for (const k of Object.keys(o)) if (!['table', 'column', 'columns'].includes(k)) fail(`to.${k}`, 'to has only table, column and columns');
      if (typeof o.table !== 'string' || o.table === '') fail('to.table', 'to.table must be a relation name');
      const toCols = Array.isArray(o.columns) ? o.columns : typeof o.column === 'string' ? [o.column] : undefined;
      if (!toCols || toCols.length === 0 || !toCols.every((c) => typeof c === 'string' && c !== '')) fail('to.column', 'to needs column or columns');
      if (toCols!.length !== cols.length) fail('to.columns', `to names ${toCols!.length} column(s) for ${cols.length}`);
      out.to = { table: o.table, columns: toCols };
      break;
    }
    case 'row_count': {
      if (r.min_rows === undefined && r.max_rows === undefined) fail(undefined, 'row_count needs min_rows or max_rows');
      for (const k of ['min_rows', 'max_rows']) {
        if (r[k] !== undefined && !(Number.isInteger(r[k]) && (r[k] as number) >= 0)) fail(k, `${k} must be an integer >= 0`);
      }
      break;
    }
    case 'freshness':
      if (parseDuration(r.max_age) === undefined) fail('max_age', "max_age must be a duration like '90s', '30m', '24h', '7d' (or seconds)");
      break;
    case 'expression':
      if (typeof r.sql !== 'string' || r.sql.trim() === '') fail('sql', 'an expression rule needs sql, a boolean SQL expression');
      break;
    default:
      break;
  }
  if (r.name !== undefined && (typeof r.name !== 'string' || r.name === '')) fail('name', 'name must be a non-empty string');
  out.name = typeof r.name === 'string' ? r.name : [t, ...cols].join('_');
  return out;
}

/** Normalizes a list of rules and rejects duplicate names. */
export function normalizeRules(raw: readonly unknown[], where = 'rules', code: FloeErrorCode = 'INVALID_ARGUMENT'): QualityRule[] {
  const out: QualityRule[] = [];
  const seen = new Set<string>();
  raw.forEach((r, i) => {
    const rule = normalizeRule(r, `${where}[${i}]`, code);
    if (seen.has(rule.name)) {
      throw new FloeError(code, `${where}[${i}].name: duplicate rule name ${JSON.stringify(rule.name)}`, { context: { path: `${where}[${i}].name` } });
    }
    seen.add(rule.name);
    out.push(rule);
  });
  return out;
}

function exceeds(th: Threshold, failing: number, percent: number): boolean {
  return (th.count !== undefined && failing > th.count) || (th.percent !== undefined && percent > th.percent);
}

/**
 * The status of a rule with `failing` of `checked` rows failing. Error threshold: `error_if`, else `mostly`
 * (percent failing above `(1 - mostly) * 100`), else any failure. Warn threshold: `warn_if`, else `mostly`, else any
 * failure. A `warn` rule only ever warns.
 */
export function ruleStatus(rule: QualityRule, failing: number, percent: number): 'pass' | 'warn' | 'fail' {
  // Rounded so that mostly 0.9 allows exactly 10% (binary floating point gives 9.999999999999998).
  const mostly: Threshold | undefined = rule.mostly === undefined ? undefined : { percent: Math.round((1 - rule.mostly) * 100 * 1e9) / 1e9 };
  const any: Threshold = { count: 0 };
  const errorT = rule.error_if ?? mostly ?? any;
  const warnT = rule.warn_if ?? mostly ?? any;
  if (rule.severity === 'error' && exceeds(errorT, failing, percent)) return 'fail';
  // A warn rule's own threshold is error_if/mostly unless warn_if is given: severity only changes the outcome.
  const warnAt = rule.severity === 'warn' && rule.warn_if === undefined ? errorT : warnT;
  if (exceeds(warnAt, failing, percent)) return 'warn';
  return 'pass';
}
