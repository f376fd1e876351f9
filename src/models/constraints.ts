/**
 * The constraint model shared by every generator (PURE, Legend JSON, JSON Schema, backfill validation rules):
 * predefined constraints (`qtyPositive`, `validTicker`, `notNull`), user-defined ones from configuration, and
 * database CHECKs translated into the same shape. Pure code: no I/O.
 */
import { FloeError } from '../errors.js';
import type { SourceTable, SourceWarning } from '../sources/source-schema.js';
import { parseCheckSql } from './check-sql.js';
import type { CheckExpr } from './check-sql.js';
import { unquoteIdentifier } from './naming.js';

/** How a constraint tests its column. */
export type ConstraintCheck = '>' | '>=' | '<' | '<=' | '=' | '!=' | 'regex' | 'in' | 'between' | 'notNull';

/** A constraint on one column of a table. `column` is the database column name. */
export interface ModelConstraint {
  name: string;
  column: string;
  check: ConstraintCheck;
  /** The operand of comparisons, or the pattern of `regex`. */
  value?: string | number | boolean;
  /** The accepted values of `in`. */
  values?: Array<string | number>;
  /** Inclusive bounds of `between`. */
  min?: number;
  max?: number;
}

/** The predefined constraint names. */
export const PREDEFINED_CONSTRAINTS = ['qtyPositive', 'validTicker', 'notNull'] as const;

/** The default exchange ticker pattern of `validTicker`: an upper-case letter, then up to 9 of A-Z, 0-9, `.`. */
export const DEFAULT_TICKER_PATTERN = '^[A-Z][A-Z0-9.]{0,9}$';

// Ordered by preference: the first name a table has wins, so `qty` beats `order_quantity`.
const QTY_COLUMNS = ['qty', 'quantity', 'quantity_held', 'shares', 'units', 'volume', 'amount'];
const TICKER_COLUMNS = ['ticker', 'symbol', 'ticker_symbol', 'security_ticker', 'instrument'];
const CHECKS: readonly string[] = ['>', '>=', '<', '<=', '=', '!=', 'regex', 'in', 'between', 'notNull'];

/** A constraint as written in configuration: a predefined name, or an object (parsed YAML/JSON). */
export type ConstraintSpec = string | Record<string, unknown>;

/** Options of {@link resolveConstraints}. */
export interface ResolveConstraintOptions {
  /** Pattern of `validTicker`; default {@link DEFAULT_TICKER_PATTERN}. */
  tickerPattern?: string;
}

function invalid(message: string, context: Record<string, unknown>): FloeError {
  return new FloeError('INVALID_ARGUMENT', message, { context });
}

function findColumn(table: SourceTable, column: string, constraint: string): string {
  const exact = table.columns.find((c) => c.name === column);
  if (exact) return exact.name;
  const folded = table.columns.filter((c) => c.name.toLowerCase() === column.toLowerCase());
  if (folded.length === 1) return folded[0].name;
  throw invalid(`constraint ${constraint}: table ${table.name} has no column ${JSON.stringify(column)}`, {
    table: table.name, column, constraint,
  });
}

function pickColumn(table: SourceTable, candidates: string[]): string | undefined {
  for (const want of candidates) {
    const hit = table.columns.find((c) => c.name.toLowerCase() === want);
    if (hit) return hit.name;
  }
  // Suffix match second (`order_qty`, `stock_symbol`), so an exact name always wins.
  for (const want of candidates) {
    const hit = table.columns.find((c) => c.name.toLowerCase().endsWith('_' + want));
    if (hit) return hit.name;
  }
  return undefined;
}

function predefined(table: SourceTable, name: string, column: unknown, options: ResolveConstraintOptions & { pattern?: unknown }): ModelConstraint {
  const named = typeof column === 'string' ? findColumn(table, column, name) : undefined;
  switch (name) {
    case 'qtyPositive': {
      const col = named ?? pickColumn(table, QTY_COLUMNS);
      if (!col) throw invalid(`qtyPositive: table ${table.name} has no quantity column (${QTY_COLUMNS.join(', ')})`, { table: table.name, constraint: name });
      return { name, column: col, check: '>', value: 0 };
    }
    case 'validTicker': {
      const col = named ?? pickColumn(table, TICKER_COLUMNS);
      if (!col) throw invalid(`validTicker: table ${table.name} has no ticker column (${TICKER_COLUMNS.join(', ')})`, { table: table.name, constraint: name });
      const pattern = typeof options.pattern === 'string' ? options.pattern : options.tickerPattern ?? DEFAULT_TICKER_PATTERN;
      checkRegex(pattern, name);
      return { name, column: col, check: 'regex', value: pattern };
    }
    case 'notNull': {
      if (!named) throw invalid('notNull needs a column', { table: table.name, constraint: name });
      return { name, column: named, check: 'notNull' };
    }
    default:
      throw invalid(`unknown predefined constraint ${JSON.stringify(name)} (known: ${PREDEFINED_CONSTRAINTS.join(', ')})`, { constraint: name });
  }
}

function checkRegex(pattern: string, constraint: string): void {
  try {
    new RegExp(pattern, 'u');
  } catch (err) {
    throw new FloeError('INVALID_ARGUMENT', `constraint ${constraint}: invalid regex ${JSON.stringify(pattern)}`, { context: { constraint, pattern }, cause: err });
  }
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean';
}

/**
 * Validates one user-defined constraint object `{name, column, check, value | values | min, max}` against a
 * table. Throws `INVALID_ARGUMENT` (with `context.column` for a missing column) when it is malformed.
 */
export function userConstraint(table: SourceTable, spec: Record<string, unknown>): ModelConstraint {
  const name = spec.name;
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw invalid(`constraint name must be an identifier, got ${JSON.stringify(name)}`, { constraint: name });
  }
  if (typeof spec.column !== 'string') throw invalid(`constraint ${name}: missing column`, { constraint: name });
  const column = findColumn(table, spec.column, name);
  const check = spec.check;
  if (typeof check !== 'string' || !CHECKS.includes(check)) {
    throw invalid(`constraint ${name}: check must be one of ${CHECKS.join(' ')}`, { constraint: name, check });
  }
  const out: ModelConstraint = { name, column, check: check as ConstraintCheck };
  if (check === 'notNull') return out;
  if (check === 'in') {
    const values = spec.values ?? spec.value;
    if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === 'string' || typeof v === 'number')) {
      throw invalid(`constraint ${name}: 'in' needs a non-empty list of values`, { constraint: name });
    }
    out.values = values as Array<string | number>;
    return out;
  }
  if (check === 'between') {
    const [min, max] = Array.isArray(spec.value) ? spec.value : [spec.min, spec.max];
    if (typeof min !== 'number' || typeof max !== 'number' || min > max) {
      throw invalid(`constraint ${name}: 'between' needs numbers min <= max`, { constraint: name });
    }
    return { ...out, min, max };
  }
  if (!isScalar(spec.value)) throw invalid(`constraint ${name}: '${check}' needs a value`, { constraint: name });
  if (check === 'regex') {
    if (typeof spec.value !== 'string') throw invalid(`constraint ${name}: regex needs a string pattern`, { constraint: name });
    checkRegex(spec.value, name);
  } else if (check !== '=' && check !== '!=' && typeof spec.value !== 'number') {
    throw invalid(`constraint ${name}: '${check}' needs a number`, { constraint: name });
  }
  out.value = spec.value;
  return out;
}

/**
 * Resolves configured constraints for a table: strings name predefined constraints; objects with a `check` are
 * user-defined; objects without one configure a predefined constraint (`{name: validTicker, pattern: …}`).
 * Throws `INVALID_ARGUMENT` for a malformed one or a duplicate name.
 */
export function resolveConstraints(table: SourceTable, specs: readonly ConstraintSpec[], options: ResolveConstraintOptions = {}): ModelConstraint[] {
  const out: ModelConstraint[] = [];
  for (const spec of specs) {
    let c: ModelConstraint;
    if (typeof spec === 'string') c = predefined(table, spec, undefined, options);
    else if (spec.check === undefined && typeof spec.name === 'string') c = predefined(table, spec.name, spec.column, { ...options, pattern: spec.pattern });
    else c = userConstraint(table, spec);
    if (out.some((o) => o.name === c.name)) throw invalid(`duplicate constraint name ${c.name}`, { constraint: c.name });
    out.push(c);
  }
  return out;
}

function literal(e: CheckExpr): string | number | undefined {
  return e.kind === 'literal' && (typeof e.value === 'string' || typeof e.value === 'number') ? e.value : undefined;
}

const FLIP = { '>': '<', '>=': '<=', '<': '>', '<=': '>=', '=': '=', '!=': '!=' } as const;

/** A LIKE pattern as an anchored regex: `%` any run, `_` one character, everything else literal. */
export function likeToRegex(like: string): string {
  let out = '^';
  for (const ch of like) {
    if (ch === '%') out += '.*';
    else if (ch === '_') out += '.';
    else out += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return out + '$';
}

function translate(e: CheckExpr, name: string, column: (n: string) => string): ModelConstraint | undefined {
  switch (e.kind) {
    case 'compare': {
      const flipped = e.right.kind === 'column' && e.left.kind !== 'column';
      const col = flipped ? e.right : e.left;
      const value = literal(flipped ? e.left : e.right);
      // Ordering a string (`d < '2020-01-01'`) depends on the column's type and collation: not translated.
      if (col.kind !== 'column' || value === undefined) return undefined;
      if (e.op !== '=' && e.op !== '!=' && typeof value !== 'number') return undefined;
      return { name, column: column(col.name), check: flipped ? FLIP[e.op] : e.op, value };
    }
    case 'in': {
      const values = e.items.map(literal);
      if (e.negated || e.expr.kind !== 'column' || values.some((v) => v === undefined)) return undefined;
      return { name, column: column(e.expr.name), check: 'in', values: values as Array<string | number> };
    }
    case 'between': {
      const [min, max] = [literal(e.low), literal(e.high)];
      if (e.negated || e.expr.kind !== 'column' || typeof min !== 'number' || typeof max !== 'number') return undefined;
      return { name, column: column(e.expr.name), check: 'between', min, max };
    }
    case 'like': {
      const p = literal(e.pattern);
      if (e.negated || e.expr.kind !== 'column' || typeof p !== 'string') return undefined;
      return { name, column: column(e.expr.name), check: 'regex', value: likeToRegex(p) };
    }
    case 'isNull':
      return e.negated && e.expr.kind === 'column' ? { name, column: column(e.expr.name), check: 'notNull' } : undefined;
    case 'and': {
      // PostgreSQL prints BETWEEN as `x >= a AND x <= b`: fold that shape back into one constraint.
      const [l, r] = [translate(e.left, name, column), translate(e.right, name, column)];
      if (!l || !r || l.column !== r.column) return undefined;
      const lo = [l, r].find((c) => c.check === '>=' && typeof c.value === 'number');
      const hi = [l, r].find((c) => c.check === '<=' && typeof c.value === 'number');
      if (!lo || !hi || lo === hi) return undefined;
      return { name, column: l.column, check: 'between', min: lo.value as number, max: hi.value as number };
    }
    default:
      return undefined;
  }
}

/** The result of {@link translateChecks}. */
export interface TranslatedChecks {
  constraints: ModelConstraint[];
  /** One `UNSUPPORTED_CONSTRAINT` warning per CHECK that has no equivalent in the model. */
  warnings: SourceWarning[];
}

/**
 * Translates a table's database CHECK constraints (comparisons, IN, BETWEEN, LIKE, IS NOT NULL) into the
 * constraint model, named after the database constraint. Others are left out with a warning, never guessed at.
 */
export function translateChecks(table: SourceTable): TranslatedChecks {
  const constraints: ModelConstraint[] = [];
  const warnings: SourceWarning[] = [];
  for (const check of table.checks) {
    let result: ModelConstraint | undefined;
    let reason = 'no equivalent in the constraint model';
    try {
      const name = /^[A-Za-z_][A-Za-z0-9_]*$/.test(check.name) ? check.name : check.name.replace(/[^A-Za-z0-9_]+/g, '_');
      result = translate(parseCheckSql(check.sql), name, (n) => findColumn(table, unquoteIdentifier(n), check.name));
    } catch (err) {
      reason = err instanceof Error ? err.message : String(err);
    }
    if (result) constraints.push(result);
    else {
      warnings.push({
        code: 'UNSUPPORTED_CONSTRAINT',
        message: `CHECK ${check.name} (${check.sql}) not translated: ${reason}`,
        table: table.name,
        ...(check.columns?.length === 1 ? { column: check.columns[0] } : {}),
      });
    }
  }
  return { constraints, warnings };
}

/** A validation rule as the backfill's sample validation reads it. */
export interface ValidationRule {
  name: string;
  type: 'range' | 'regex' | 'accepted_values' | 'not_null';
  column: string;
  /** `range` bounds; `exclusiveMin`/`exclusiveMax` say whether the bound itself fails. */
  min?: number;
  max?: number;
  exclusiveMin?: boolean;
  exclusiveMax?: boolean;
  pattern?: string;
  values?: Array<string | number | boolean>;
  /** `accepted_values` with `negate: true` lists the values that fail (from `!=`). */
  negate?: boolean;
}

/** Exports constraints as plain validation rule objects (JSON-serializable) for the backfill's validation. */
export function toValidationRules(constraints: readonly ModelConstraint[]): ValidationRule[] {
  return constraints.map((c): ValidationRule => {
    const base = { name: c.name, column: c.column };
    switch (c.check) {
      case '>': return { ...base, type: 'range', min: Number(c.value), exclusiveMin: true };
      case '>=': return { ...base, type: 'range', min: Number(c.value), exclusiveMin: false };
      case '<': return { ...base, type: 'range', max: Number(c.value), exclusiveMax: true };
      case '<=': return { ...base, type: 'range', max: Number(c.value), exclusiveMax: false };
      case 'between': return { ...base, type: 'range', min: c.min, max: c.max, exclusiveMin: false, exclusiveMax: false };
      case '=': return { ...base, type: 'accepted_values', values: [c.value as string | number | boolean] };
      case '!=': return { ...base, type: 'accepted_values', values: [c.value as string | number | boolean], negate: true };
      case 'in': return { ...base, type: 'accepted_values', values: [...(c.values ?? [])] };
      case 'regex': return { ...base, type: 'regex', pattern: String(c.value) };
      case 'notNull': return { ...base, type: 'not_null' };
    }
  });
}
