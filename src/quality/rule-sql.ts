/**
 * Rules as DuckDB SQL: the predicate that is true exactly when a row fails a row-level rule. Predicates never yield
 * NULL (a NULL would drop a row from both the valid and the invalid side of a split). NULL values pass every rule but
 * `not_null`, as in SQL CHECK constraints and dbt's tests.
 */
import { FloeError } from '../errors.js';
import { quoteIdent, quoteString } from '../engine/sql-literals.js';
import { parseDuration, ruleColumns, type QualityRule } from './rule.js';

/** The alias the evaluated relation gets in every generated query. */
export const ROW_ALIAS = '__floe_t';

/** A SQL literal for a rule operand. */
export function sqlLiteral(v: unknown): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new FloeError('INVALID_ARGUMENT', `not a finite number: ${v}`);
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return quoteString(v);
  throw new FloeError('INVALID_ARGUMENT', `unsupported rule operand ${JSON.stringify(v)}`);
}

/**
 * A relation reference: a plain or dotted identifier (`instruments`, `main.instruments`) is quoted part by part;
 * anything else (`"trade-log"`, `(SELECT ...)`, `read_parquet('x')`) is used as written.
 */
export function relationSql(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)*$/.test(name) ? name.split('.').map(quoteIdent).join('.') : name;
}

const col = (name: string, alias = ROW_ALIAS): string => `${alias}.${quoteIdent(name)}`;

/** The target of a relationship rule, normalized. */
export function relationshipTarget(rule: QualityRule): { table: string; columns: string[] } {
  const to = rule.to as { table: string; column?: string; columns?: string[] };
  return { table: to.table, columns: to.columns ?? (to.column !== undefined ? [to.column] : []) };
}

/** The SQL predicate, over {@link ROW_ALIAS}, that is TRUE for a row failing a row-level rule and FALSE otherwise. */
export function failPredicate(rule: QualityRule): string {
  const cols = ruleColumns(rule);
  const c = cols.length > 0 ? col(cols[0]) : '';
  const notNull = cols.map((n) => `${col(n)} IS NOT NULL`).join(' AND ');
  let p: string;
  switch (rule.type) {
    case 'not_null':
      return `(${cols.map((n) => `${col(n)} IS NULL`).join(' OR ')})`;
    case 'range': {
      const parts: string[] = [];
      if (rule.min !== undefined) parts.push(`${c} ${rule.min_inclusive === false ? '<=' : '<'} ${sqlLiteral(rule.min)}`);
      if (rule.max !== undefined) parts.push(`${c} ${rule.max_inclusive === false ? '>=' : '>'} ${sqlLiteral(rule.max)}`);
      p = parts.join(' OR ');
      break;
    }
    case 'regex':
      // Search semantics (a match anywhere), like Great Expectations' match_regex: anchor with ^ and $ to match all.
      p = `NOT regexp_matches(CAST(${c} AS VARCHAR), ${quoteString(String(rule.pattern))})`;
      break;
    case 'accepted_values':
      p = `${c} NOT IN (${(rule.values as unknown[]).map(sqlLiteral).join(', ')})`;
      break;
    case 'max_length':
      p = `length(CAST(${c} AS VARCHAR)) > ${Number(rule.max)}`;
      break;
    case 'relationship': {
      const to = relationshipTarget(rule);
      const alias = '__floe_ref';
      const on = cols.map((n, i) => `${col(to.columns[i], alias)} = ${col(n)}`).join(' AND ');
      p = `NOT EXISTS (SELECT 1 FROM ${relationSql(to.table)} AS ${alias} WHERE ${on})`;
      break;
    }
    case 'expression':
      // Like a CHECK constraint: a row fails when the expression is false; NULL (unknown) passes.
      return `coalesce(NOT (${String(rule.sql)}), FALSE)`;
    default:
      throw new FloeError('INVALID_ARGUMENT', `rule ${rule.name}: ${rule.type} is not a row-level rule`);
  }
  return `coalesce(${notNull} AND (${p}), FALSE)`;
}

/** The freshness limit as a DuckDB interval expression. */
export function maxAgeInterval(rule: QualityRule): string {
  const seconds = parseDuration(rule.max_age);
  if (seconds === undefined) throw new FloeError('INVALID_ARGUMENT', `rule ${rule.name}: invalid max_age`);
  return `to_microseconds(${Math.round(seconds * 1e6)})`;
}
