/**
 * Validating a sample of a source table, a data file or an Iceberg table: read the sample into DuckDB, gather the
 * rules (the source's declared constraints, then the given rules, which replace a derived rule of the same name),
 * resolve foreign keys against the source itself, and evaluate.
 */
import { Engine } from '../engine/duckdb-engine.js';
import { buildScanSql } from '../engine/scan-sql.js';
import { quoteIdent, quoteString } from '../engine/sql-literals.js';
import { FloeError, isFloeError } from '../errors.js';
import { planScan } from '../iceberg/table/scan-planner.js';
import type { Table } from '../iceberg/table/table.js';
import { openSource } from '../sources/open-source.js';
import { openSampler, type SampleMethod } from '../sources/source-sample.js';
import type { SourceTable } from '../sources/source-schema.js';
import { evaluateRules, type EvaluateOptions, type ValidationReport } from './evaluate.js';
import { duckdbTypeOfColumn, loadTextRows, tempName } from './load-sample.js';
import { normalizeRules, ruleColumns, type QualityRule } from './rule.js';
import { relationshipTarget } from './rule-sql.js';
import { sourceTableRules } from './rule-sources.js';

/** Default sample size of `floe validate`. */
export const DEFAULT_SAMPLE_SIZE = 1000;

/** A validation of a sample of something named. */
export interface SampleValidationReport extends ValidationReport {
  /** The source URL (password removed), file path or table name. */
  source: string;
  table: string;
  /** How the sample was drawn. */
  sample_method: SampleMethod;
  /** The whole table's rows when known (counted for row_count rules and for files and Iceberg tables). */
  table_rows: number | null;
  /** How many rules came from the source's constraints and how many were given. */
  rules_from: { constraints: number; given: number };
  /** Constraints that could not become rules, and other notes. */
  warnings: string[];
}

/** Options of the validate functions. */
export interface SampleValidationOptions {
  /** Rows to sample; default 1000. */
  sample?: number;
  /** Rules besides the source's constraints (these win over a derived rule of the same name). */
  rules?: QualityRule[];
  /** Derive rules from the source's constraints; default true. */
  constraints?: boolean;
  /** Example failing rows per rule; default 5. */
  examples?: number;
}

function sampleSize(n: number | undefined): number {
  const size = n ?? DEFAULT_SAMPLE_SIZE;
  if (!Number.isInteger(size) || size < 1) throw new FloeError('INVALID_ARGUMENT', `sample size must be a positive integer, got ${n}`);
  return size;
}

/** Derived rules, then given ones; a given rule replaces the derived rule of the same name. */
function mergeRules(derived: QualityRule[], given: QualityRule[]): QualityRule[] {
  const names = new Set(given.map((r) => r.name));
  return [...derived.filter((r) => !names.has(r.name)), ...given];
}

function tableLevelNeeds(rules: QualityRule[]): { count: boolean; newest: string[] } {
  return {
    count: rules.some((r) => r.type === 'row_count'),
    newest: [...new Set(rules.filter((r) => r.type === 'freshness').flatMap(ruleColumns))],
  };
}

/** The source URL without its password. */
function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@');
}

/** Introspects one table of a source (TABLE_NOT_FOUND when it has none of that name). */
async function introspectTable(url: string, table: string): Promise<SourceTable> {
  const source = await openSource(url);
  try {
    return (await source.introspect({ tables: [table] })).tables[0];
  } finally {
    await source.close();
  }
}

/** Introspects `names` of a source, leaving out the ones it does not have. */
async function introspectExisting(url: string, names: string[]): Promise<SourceTable[]> {
  if (names.length === 0) return [];
  const source = await openSource(url);
  try {
    try {
      return (await source.introspect({ tables: names })).tables;
    } catch (err) {
      const missing = isFloeError(err, 'TABLE_NOT_FOUND') ? (err.context.tables as string[] | undefined) : undefined;
      if (!missing) throw err;
      const rest = names.filter((n) => !missing.includes(n));
      return rest.length === 0 ? [] : (await source.introspect({ tables: rest })).tables;
    }
  } finally {
    await source.close();
  }
}

/**
 * Validates a sample of `table` in the database `url` (postgresql://, mysql://, mariadb://, sqlite:, duckdb:):
 * rules from its NOT NULL, key, foreign key and CHECK constraints plus `opts.rules`. Foreign keys are checked against
 * the referenced table in the source (only the sampled keys are looked up).
 */
export async function validateSourceTable(url: string, table: string, opts: SampleValidationOptions = {}): Promise<SampleValidationReport> {
  const n = sampleSize(opts.sample);
  const given = normalizeRules(opts.rules ?? []);
  const info = await introspectTable(url, table);
  const derived = opts.constraints === false ? { rules: [], warnings: [] } : sourceTableRules(info);
  const rules = mergeRules(derived.rules, given);
  const warnings = derived.warnings.map((w) => w.message);
  const refNames = [...new Set(rules.filter((r) => r.type === 'relationship').map((r) => relationshipTarget(r).table))];
  const refTables = await introspectExisting(url, refNames.filter((n) => n !== info.name));
  const sourceTables = new Map([...refTables, info].map((t) => [t.name, t]));

  const engine = await Engine.create();
  const sampler = await openSampler(url);
  try {
    const sampled = await sampler.sample(info, n);
    const sample = await loadTextRows(engine, info.columns.map((c) => ({ name: c.name, type: duckdbTypeOfColumn(c) })), sampled.rows);
    const resolved: QualityRule[] = [];
    for (const rule of rules) {
      const target = rule.type === 'relationship' ? relationshipTarget(rule) : undefined;
      const refTable = target && sourceTables.get(target.table);
      if (!target || !refTable) {
        resolved.push(rule);
        continue;
      }
      const from = ruleColumns(rule);
      const sampleCols = info.columns.map((c) => c.name);
      for (const c of [...from]) {
        if (!sampleCols.includes(c)) throw new FloeError('INVALID_ARGUMENT', `rule ${rule.name}: table ${info.name} has no column ${JSON.stringify(c)}`, { context: { rule: rule.name, column: c } });
      }
      const refCols = target.columns.map((c) => {
        const col = refTable.columns.find((x) => x.name === c);
        if (!col) throw new FloeError('INVALID_ARGUMENT', `rule ${rule.name}: table ${refTable.name} has no column ${JSON.stringify(c)}`, { context: { rule: rule.name, column: c } });
        return col;
      });
      // The sample's distinct keys, as text, looked up in the referenced table; the found ones become a temp table.
      const keysSql = `SELECT DISTINCT ${from.map((c) => `CAST(${quoteIdent(c)} AS VARCHAR)`).join(', ')} FROM ${quoteIdent(sample)} WHERE ${from.map((c) => `${quoteIdent(c)} IS NOT NULL`).join(' AND ')}`;
      const keys = (await (await engine.run(keysSql)).getRowsJson()) as string[][];
      const found = keys.length === 0 ? [] : await sampler.existingKeys(refTable, target.columns, keys);
      const refTemp = await loadTextRows(engine, refCols.map((c) => ({ name: c.name, type: duckdbTypeOfColumn(c) })), found, '__floe_ref');
      resolved.push({ ...rule, to: { table: refTemp, columns: target.columns } });
    }
    const evalOpts: EvaluateOptions = { examples: opts.examples, keyColumns: info.primary_keys };
    const needs = tableLevelNeeds(resolved);
    let tableRows: number | null = sampled.method === 'all' ? sampled.rows.length : info.row_count_exact ? info.row_count : null;
    if (sampled.method !== 'all' && (needs.count || needs.newest.length > 0)) {
      const stats = await sampler.stats(info, needs.newest);
      tableRows = stats.rowCount;
      evalOpts.totalRows = stats.rowCount;
      evalOpts.newest = stats.newest;
    }
    const report = await evaluateRules(engine, quoteIdent(sample), resolved, evalOpts);
    return {
      source: redact(url),
      table: info.name,
      sample_method: sampled.method,
      table_rows: tableRows,
      ...report,
      rules_from: { constraints: derived.rules.filter((r) => !given.some((g) => g.name === r.name)).length, given: given.length },
      warnings,
    };
  } finally {
    await sampler.close();
    engine.close();
  }
}

/** The DuckDB reader of a data file by its extension, or undefined when the path is not a data file. */
export function fileRelation(path: string): string | undefined {
  const lower = path.toLowerCase().replace(/\.(gz|zst)$/, '');
  if (/\.parquet$/.test(lower)) return `read_parquet(${quoteString(path)})`;
  if (/\.(csv|tsv)$/.test(lower)) return `read_csv(${quoteString(path)})`;
  if (/\.(json|ndjson|jsonl)$/.test(lower)) return `read_json(${quoteString(path)})`;
  return undefined;
}

/** Samples a DuckDB relation into a temp table, counting the relation when table-level rules or 'all' need it. */
async function sampleRelation(engine: Engine, relation: string, n: number): Promise<{ sample: string; method: SampleMethod; rows: number }> {
  const rows = Number(((await (await engine.run(`SELECT count(*) AS n FROM ${relation}`)).getRowObjectsJson())[0] as { n: string }).n);
  const sample = tempName('__floe_sample');
  // Reservoir sampling draws uniformly in one pass; a relation no larger than the sample is taken whole, in order.
  const method: SampleMethod = rows <= n ? 'all' : 'random';
  await engine.run(`CREATE TEMP TABLE ${quoteIdent(sample)} AS SELECT * FROM ${relation}${method === 'random' ? ` USING SAMPLE reservoir(${n} ROWS)` : ''}`);
  return { sample, method, rows };
}

async function validateRelation(
  engine: Engine, relation: string, source: string, table: string, opts: SampleValidationOptions,
): Promise<SampleValidationReport> {
  const rules = normalizeRules(opts.rules ?? []);
  const { sample, method, rows } = await sampleRelation(engine, relation, sampleSize(opts.sample));
  const evalOpts: EvaluateOptions = { examples: opts.examples, totalRows: rows };
  const newest = tableLevelNeeds(rules).newest;
  if (method !== 'all' && newest.length > 0) {
    const res = await engine.run(`SELECT ${newest.map((c, i) => `CAST(max(${quoteIdent(c)}) AS VARCHAR) AS m${i}`).join(', ')} FROM ${relation}`);
    const row = (await res.getRowObjectsJson())[0] as Record<string, string | null>;
    evalOpts.newest = Object.fromEntries(newest.map((c, i) => [c, row[`m${i}`]]));
  }
  try {
    const report = await evaluateRules(engine, quoteIdent(sample), rules, evalOpts);
    return { source, table, sample_method: method, table_rows: rows, ...report, rules_from: { constraints: 0, given: rules.length }, warnings: [] };
  } finally {
    await engine.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(sample)}`);
  }
}

/**
 * Validates a sample of a Parquet, CSV or JSON file (local; DuckDB reads it directly). Files declare no
 * constraints: the rules are `opts.rules`.
 */
export async function validateFile(path: string, opts: SampleValidationOptions = {}): Promise<SampleValidationReport> {
  const relation = fileRelation(path);
  if (relation === undefined) throw new FloeError('INVALID_ARGUMENT', `not a Parquet, CSV or JSON file: ${path}`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw new FloeError('UNSUPPORTED', `validating remote files is not supported yet (DuckDB here reads local files only): ${path}`);
  }
  const engine = await Engine.create();
  try {
    return await validateRelation(engine, relation, path, path, opts);
  } finally {
    engine.close();
  }
}

/** Validates a sample of an Iceberg table's current snapshot (rules from `opts.rules`). */
export async function validateIcebergTable(table: Table, name: string, opts: SampleValidationOptions = {}): Promise<SampleValidationReport> {
  const engine = await Engine.create();
  try {
    const plan = await planScan(table, {});
    const { sql, cleanup } = await buildScanSql(engine, table, plan);
    try {
      return await validateRelation(engine, sql, name, name, opts);
    } finally {
      await cleanup();
    }
  } finally {
    engine.close();
  }
}
