/**
 * Evaluating quality rules over a DuckDB relation (a sample, a backfill window, a whole table), entirely in DuckDB:
 * one aggregate pass counts every row-level rule and the rows failing any of them; unique, row_count and freshness
 * are one query each; examples are at most N failing rows per rule.
 */
import { FloeError, isFloeError } from '../errors.js';
import type { Engine } from '../engine/duckdb-engine.js';
import { quoteIdent, quoteString } from '../engine/sql-literals.js';
import { isRowLevel, normalizeRules, ruleColumns, ruleStatus, type QualityRule, type RuleType } from './rule.js';
import { failPredicate, maxAgeInterval, relationshipTarget, relationSql, ROW_ALIAS } from './rule-sql.js';

/** The outcome of one rule. */
export interface RuleResult {
  rule: string;
  type: RuleType;
  column?: string;
  severity: 'error' | 'warn';
  /** Rows checked (1 for row_count and freshness, which check the relation as a whole). */
  checked: number;
  failing: number;
  /** failing / checked × 100. */
  percent: number;
  status: 'pass' | 'warn' | 'fail';
  /** Up to N failing rows with the rule's columns (unique: the duplicated rows; row_count/freshness: the figure). */
  examples: Record<string, unknown>[];
}

/** The outcome of a validation. */
export interface ValidationReport {
  sample_size: number;
  /** Rows failing no row-level rule of severity error. */
  valid_records: number;
  invalid_records: number;
  /** valid_records / sample_size (1 for an empty relation). */
  validation_score: number;
  /** fail when any rule failed, else warn when any warned, else pass. */
  status: 'pass' | 'warn' | 'fail';
  rules: RuleResult[];
}

/** Options of {@link evaluateRules}. */
export interface EvaluateOptions {
  /** Example failing rows per rule; default 5. */
  examples?: number;
  /** The whole table's row count for `row_count` rules when the relation is a sample of it. */
  totalRows?: number;
  /** Per column, the whole table's newest value (as text) for `freshness` rules when the relation is a sample. */
  newest?: Record<string, string | null>;
  /** Columns (a primary key) shown first in every row-level example, so a failing row can be found again. */
  keyColumns?: string[];
}

interface RelationColumn {
  name: string;
  type: string;
}

/** The columns of a relation, from DuckDB's DESCRIBE. */
export async function describeRelation(engine: Engine, relation: string): Promise<RelationColumn[]> {
  const res = await engine.run(`DESCRIBE SELECT * FROM ${relation} AS ${ROW_ALIAS}`);
  return ((await res.getRowObjectsJson()) as Array<{ column_name: string; column_type: string }>).map((r) => ({
    name: r.column_name,
    type: r.column_type,
  }));
}

/** Resolves `name` among `columns` (exact, else the one matching ignoring case); unknown is INVALID_ARGUMENT. */
function resolveColumn(columns: RelationColumn[], name: string, rule: string, relation: string): string {
  const exact = columns.find((c) => c.name === name);
  if (exact) return exact.name;
  const folded = columns.filter((c) => c.name.toLowerCase() === name.toLowerCase());
  if (folded.length === 1) return folded[0].name;
  throw new FloeError('INVALID_ARGUMENT', `rule ${rule}: ${relation} has no column ${JSON.stringify(name)} (columns: ${columns.map((c) => c.name).join(', ')})`, {
    context: { rule, column: name },
  });
}

/** Rules with their columns resolved against the relation (and relationship targets against theirs). */
async function resolveRules(engine: Engine, relation: string, rules: QualityRule[]): Promise<{ rules: QualityRule[]; columns: RelationColumn[] }> {
  const columns = await describeRelation(engine, relation);
  const out: QualityRule[] = [];
  for (const rule of rules) {
    const cols = ruleColumns(rule).map((c) => resolveColumn(columns, c, rule.name, 'the relation'));
    const r: QualityRule = { ...rule, ...(rule.columns ? { columns: cols } : cols.length > 0 ? { column: cols[0] } : {}) };
    if (rule.type === 'relationship') {
      const to = relationshipTarget(rule);
      const toColumns = await describeRelation(engine, relationSql(to.table)).catch((err: unknown) => {
        if (!isFloeError(err, 'SQL_ERROR')) throw err;
        throw new FloeError('INVALID_ARGUMENT', `rule ${rule.name}: relationship target ${to.table} cannot be read: ${err.message.split('\n')[0]}`, {
          cause: err, context: { rule: rule.name, table: to.table },
        });
      });
      r.to = { table: to.table, columns: to.columns.map((c) => resolveColumn(toColumns, c, rule.name, to.table)) };
    }
    out.push(r);
  }
  return { rules: out, columns };
}

const INTEGER_TYPES = /^(BIGINT|HUGEINT|UBIGINT|UHUGEINT|INTEGER|SMALLINT|TINYINT|UINTEGER|USMALLINT|UTINYINT)$/;

/** Result rows as JSON-ready objects: 64-bit integers as numbers when exact, as strings beyond 2^53. */
async function jsonRows(engine: Engine, sql: string): Promise<Record<string, unknown>[]> {
  const res = await engine.run(sql);
  const types = res.columnNames().map((n, i) => [n, res.columnType(i).toString()] as const);
  const rows = (await res.getRowObjectsJson()) as Record<string, unknown>[];
  for (const row of rows) {
    for (const [name, type] of types) {
      const v = row[name];
      if (typeof v === 'string' && INTEGER_TYPES.test(type) && Number.isSafeInteger(Number(v))) row[name] = Number(v);
    }
  }
  return rows;
}

function percentOf(failing: number, checked: number): number {
  return checked === 0 ? 0 : (failing / checked) * 100;
}

/** Rounds a percent for the report (the status is decided on the exact value). */
function roundPercent(p: number): number {
  return Math.round(p * 10_000) / 10_000;
}

function result(rule: QualityRule, checked: number, failing: number, examples: Record<string, unknown>[]): RuleResult {
  const percent = percentOf(failing, checked);
  const cols = ruleColumns(rule);
  return {
    rule: rule.name,
    type: rule.type,
    ...(cols.length > 0 ? { column: cols.join(', ') } : {}),
    severity: rule.severity,
    checked,
    failing,
    percent: roundPercent(percent),
    status: ruleStatus(rule, failing, percent),
    examples,
  };
}

function selectList(rule: QualityRule, keyColumns: string[]): string {
  const cols = ruleColumns(rule);
  if (cols.length === 0) return `${ROW_ALIAS}.*`;
  return [...keyColumns.filter((k) => !cols.includes(k)), ...cols].map((c) => `${ROW_ALIAS}.${quoteIdent(c)}`).join(', ');
}

/**
 * Evaluates `rules` over `relation` (SQL text: a table name or `(SELECT ...)`) in DuckDB. A rule naming a column the
 * relation lacks is INVALID_ARGUMENT; a malformed rule is INVALID_ARGUMENT with the offending key in `context.path`.
 */
export async function evaluateRules(engine: Engine, relation: string, rules: QualityRule[], opts: EvaluateOptions = {}): Promise<ValidationReport> {
  const limit = Math.max(0, Math.floor(opts.examples ?? 5));
  const resolved = await resolveRules(engine, relation, normalizeRules(rules));
  const keyColumns = (opts.keyColumns ?? []).map((k) => resolveColumn(resolved.columns, k, 'keyColumns', 'the relation'));
  const from = `${relation} AS ${ROW_ALIAS}`;
  const rowRules = resolved.rules.filter(isRowLevel);
  const errorRowRules = rowRules.filter((r) => r.severity === 'error');
  const aggregates = ['count(*) AS n'];
  rowRules.forEach((r, i) => aggregates.push(`count_if(${failPredicate(r)}) AS f${i}`));
  aggregates.push(errorRowRules.length > 0 ? `count_if(${errorRowRules.map(failPredicate).join(' OR ')}) AS invalid` : '0 AS invalid');
  const counts = (await (await engine.run(`SELECT ${aggregates.join(', ')} FROM ${from}`)).getRowObjectsJson())[0] as Record<string, string | number>;
  const n = Number(counts.n);
  const invalid = Number(counts.invalid);

  const results: RuleResult[] = [];
  for (const rule of resolved.rules) {
    const cols = ruleColumns(rule);
    if (isRowLevel(rule)) {
      const failing = Number(counts[`f${rowRules.indexOf(rule)}`]);
      const examples = failing > 0 && limit > 0
        ? await jsonRows(engine, `SELECT ${selectList(rule, keyColumns)} FROM ${from} WHERE ${failPredicate(rule)} LIMIT ${limit}`)
        : [];
      results.push(result(rule, n, failing, examples));
    } else if (rule.type === 'unique') {
      // Every row whose (non-null) key another row shares fails: which copy is "the duplicate" is arbitrary.
      const key = cols.map((c) => quoteIdent(c)).join(', ');
      const dup = `(SELECT ${key}, count(*) OVER (PARTITION BY ${key}) AS __floe_copies FROM ${from} WHERE ${cols.map((c) => `${quoteIdent(c)} IS NOT NULL`).join(' AND ')}) AS __floe_d WHERE __floe_copies > 1`;
      const failing = Number(((await (await engine.run(`SELECT count(*) AS c FROM ${dup}`)).getRowObjectsJson())[0] as { c: string }).c);
      const examples = failing > 0 && limit > 0 ? await jsonRows(engine, `SELECT ${key} FROM ${dup} ORDER BY ${key} LIMIT ${limit}`) : [];
      results.push(result(rule, n, failing, examples));
    } else if (rule.type === 'row_count') {
      const rows = opts.totalRows ?? n;
      const bad = (rule.min_rows !== undefined && rows < Number(rule.min_rows)) || (rule.max_rows !== undefined && rows > Number(rule.max_rows));
      results.push(result(rule, 1, bad ? 1 : 0, bad && limit > 0 ? [{ row_count: rows }] : []));
    } else if (rule.type === 'freshness') {
      const column = cols[0];
      const type = resolved.columns.find((c) => c.name === column)!.type;
      const given = opts.newest !== undefined && Object.prototype.hasOwnProperty.call(opts.newest, column);
      const newestSql = given
        ? `(SELECT CAST(${opts.newest![column] === null ? 'NULL' : quoteString(opts.newest![column] as string)} AS ${type}))`
        : `(SELECT max(${quoteIdent(column)}) FROM ${from})`;
      // Compared as TIMESTAMPTZ so DATE, TIMESTAMP and TIMESTAMPTZ columns all measure against now().
      const row = (await jsonRows(
        engine,
        `SELECT newest, CAST(newest AS VARCHAR) AS newest_text, coalesce(CAST(newest AS TIMESTAMPTZ) < now() - ${maxAgeInterval(rule)}, TRUE) AS stale, ` +
          `epoch(now() - CAST(newest AS TIMESTAMPTZ)) AS age_seconds FROM (SELECT ${newestSql} AS newest)`,
      ))[0];
      const stale = row.stale === true;
      const ageSeconds = row.age_seconds === null ? null : Math.round(Number(row.age_seconds));
      results.push(result(rule, 1, stale ? 1 : 0, stale && limit > 0 ? [{ [column]: row.newest_text, age_seconds: ageSeconds }] : []));
    }
  }
  const status = results.some((r) => r.status === 'fail') ? 'fail' : results.some((r) => r.status === 'warn') ? 'warn' : 'pass';
  return {
    sample_size: n,
    valid_records: n - invalid,
    invalid_records: invalid,
    validation_score: n === 0 ? 1 : (n - invalid) / n,
    status,
    rules: results,
  };
}

/** The name of the column listing, for each invalid row, the rules it failed. */
export const FAILED_RULES_COLUMN = '__floe_failed_rules';

/**
 * SQL splitting `relation` by its row-level rules of severity error (thresholds aside: a row failing a rule is
 * invalid): `invalidSql` returns the failing rows with a VARCHAR[] column `__floe_failed_rules` naming the rules each
 * failed; `validSql` returns every other row. Together they return each row of the relation exactly once.
 */
export function splitByRulesSql(relation: string, rules: QualityRule[]): { invalidSql: string; validSql: string } {
  const gate = normalizeRules(rules).filter((r) => isRowLevel(r) && r.severity === 'error');
  const from = `${relation} AS ${ROW_ALIAS}`;
  if (gate.length === 0) {
    return {
      invalidSql: `SELECT ${ROW_ALIAS}.*, CAST([] AS VARCHAR[]) AS ${FAILED_RULES_COLUMN} FROM ${from} WHERE FALSE`,
      validSql: `SELECT ${ROW_ALIAS}.* FROM ${from}`,
    };
  }
  const any = gate.map(failPredicate).join(' OR ');
  const names = gate.map((r) => `CASE WHEN ${failPredicate(r)} THEN ${quoteString(r.name)} END`).join(', ');
  return {
    invalidSql: `SELECT ${ROW_ALIAS}.*, list_filter([${names}], x -> x IS NOT NULL) AS ${FAILED_RULES_COLUMN} FROM ${from} WHERE ${any}`,
    validSql: `SELECT ${ROW_ALIAS}.* FROM ${from} WHERE NOT (${any})`,
  };
}
