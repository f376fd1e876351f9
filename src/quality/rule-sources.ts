/**
 * Where rules come from besides code: a source table's declared constraints (NOT NULL, primary and unique keys,
 * foreign keys, CHECKs), the reverse-ETL model's constraints, and a rules YAML file. Pure code: no I/O.
 */
import { parseDocument } from 'yaml';
import { FloeError } from '../errors.js';
import { toValidationRules, translateChecks, type ModelConstraint, type ValidationRule } from '../models/constraints.js';
import type { SourceTable, SourceWarning } from '../sources/source-schema.js';
import { quoteIdent } from '../engine/sql-literals.js';
import { normalizeRule, normalizeRules, type QualityRule } from './rule.js';
import { sqlLiteral } from './rule-sql.js';

/** Rules derived from a source table, and the constraints that could not be expressed as rules. */
export interface SourceRules {
  rules: QualityRule[];
  warnings: SourceWarning[];
}

/**
 * PostgreSQL prints `ticker ~ '^[A-Z]+$'` as `((ticker)::text ~ '^[A-Z]+$'::text)`: a POSIX regex search, which the
 * CHECK parser of the model does not cover. Recognized here because the `regex` rule has the same search semantics.
 */
function postgresRegexCheck(sql: string): { column: string; pattern: string } | undefined {
  const m = /^[\s(]*(?:"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*))\)?(?:::[A-Za-z ]+)?\s*~\s*'((?:[^']|'')*)'(?:::text)?[\s)]*$/.exec(sql);
  if (!m) return undefined;
  return { column: m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2], pattern: m[3].replace(/''/g, "'") };
}

/** A model validation rule as a quality rule (`!=` constraints become an expression rule). */
function fromValidationRule(v: ValidationRule, source: string): QualityRule {
  const base = { name: v.name, column: v.column, severity: 'error' as const, source };
  switch (v.type) {
    case 'range':
      return {
        ...base, type: 'range',
        ...(v.min !== undefined ? { min: v.min, min_inclusive: v.exclusiveMin !== true } : {}),
        ...(v.max !== undefined ? { max: v.max, max_inclusive: v.exclusiveMax !== true } : {}),
      };
    case 'regex':
      return { ...base, type: 'regex', pattern: v.pattern };
    case 'not_null':
      return { ...base, type: 'not_null' };
    case 'accepted_values':
      if (v.negate) {
        return { ...base, type: 'expression', sql: `${quoteIdent(v.column)} NOT IN (${(v.values ?? []).map(sqlLiteral).join(', ')})` };
      }
      return { ...base, type: 'accepted_values', values: v.values ?? [] };
  }
}

function uniqueName(name: string, taken: Set<string>): string {
  let out = name;
  for (let i = 2; taken.has(out); i++) out = `${name}_${i}`;
  taken.add(out);
  return out;
}

/**
 * Rules from a source table's constraints: each NOT NULL column → `not_null`; the primary key, unique constraints and
 * plain unique indexes → `unique`; each foreign key → `relationship` to the referenced table; CHECKs translated by the
 * model's CHECK translation (comparisons, IN, BETWEEN, LIKE, IS NOT NULL, PostgreSQL `~`). Other CHECKs are left out
 * with an UNSUPPORTED_CONSTRAINT warning: a CHECK's SQL dialect (SQLite GLOB, PostgreSQL functions) is not DuckDB's,
 * so running it as written could pass or fail the wrong rows.
 */
export function sourceTableRules(table: SourceTable): SourceRules {
  const rules: QualityRule[] = [];
  const taken = new Set<string>();
  const add = (r: QualityRule): void => {
    rules.push({ ...r, name: uniqueName(r.name, taken) });
  };
  for (const c of table.columns) {
    // A generated column's value is computed, never loaded: only declared data is checked.
    if (!c.nullable && c.generated === undefined) add({ name: `not_null_${c.name}`, type: 'not_null', column: c.name, severity: 'error', source: 'NOT NULL' });
  }
  const keys: string[][] = [];
  const addUnique = (name: string, columns: string[], source: string): void => {
    if (columns.length === 0 || keys.some((k) => k.join('\u0000') === columns.join('\u0000'))) return;
    keys.push(columns);
    add({ name, type: 'unique', columns, severity: 'error', source });
  };
  if (table.primary_keys.length > 0) addUnique(`primary_key_${table.name}`, table.primary_keys, 'PRIMARY KEY');
  for (const u of table.unique_constraints) addUnique(u.name, u.columns, 'UNIQUE');
  for (const ix of table.indexes) {
    if (ix.unique && !ix.primary && ix.expression === undefined && ix.where === undefined) addUnique(ix.name, ix.columns, 'UNIQUE INDEX');
  }
  for (const fk of table.foreign_keys) {
    add({
      name: fk.name, type: 'relationship', columns: fk.columns, severity: 'error', source: 'FOREIGN KEY',
      to: { table: fk.referencedTable, columns: fk.referencedColumns },
    });
  }
  const regexChecks = new Map<string, { column: string; pattern: string }>();
  for (const check of table.checks) {
    const re = postgresRegexCheck(check.sql);
    const column = re && table.columns.find((c) => c.name === re.column || c.name.toLowerCase() === re.column.toLowerCase());
    if (re && column) regexChecks.set(check.name, { column: column.name, pattern: re.pattern });
  }
  // PostgreSQL prints negative numbers quoted (`qty > '-10'::integer`): the bare number is the same value.
  const unquoted = table.checks
    .filter((c) => !regexChecks.has(c.name))
    .map((c) => ({ ...c, sql: c.sql.replace(/'(-?\d+(?:\.\d+)?)'::(?=integer|bigint|smallint|numeric|real|double precision)/g, '$1::') }));
  const translated = translateChecks({ ...table, checks: unquoted });
  for (const v of toValidationRules(translated.constraints)) add(fromValidationRule(v, 'CHECK'));
  for (const [name, re] of regexChecks) add({ name, type: 'regex', column: re.column, pattern: re.pattern, severity: 'error', source: 'CHECK' });
  return { rules: normalizeRules(rules), warnings: translated.warnings };
}

/** Rules from a source table's constraints (see {@link sourceTableRules}; the warnings are dropped). */
export function rulesFromSourceTable(table: SourceTable): QualityRule[] {
  return sourceTableRules(table).rules;
}

/**
 * Rules from the reverse-ETL model's constraints (`ModelConstraint`s as `resolveConstraints` returns them, or the
 * `ValidationRule`s `toValidationRules` exports): ranges, regexes, accepted values and not-null checks.
 */
export function rulesFromModel(constraints: readonly (ModelConstraint | ValidationRule)[]): QualityRule[] {
  const rules = constraints.map((c) => ('check' in c ? toValidationRules([c])[0] : c)).map((v) => fromValidationRule(v, 'model constraint'));
  return normalizeRules(rules);
}

/** Options of {@link parseRulesYaml}. */
export interface ParseRulesOptions {
  /** Include the rules the file lists under `tables: {<table>: ...}` for this table. */
  table?: string;
  /** Name of the file, for messages. */
  source?: string;
}

function configError(message: string, path: string, source?: string): FloeError {
  return new FloeError('CONFIG_INVALID', `${source ? `${source}: ` : ''}${message}`, { context: { path, ...(source ? { source } : {}) } });
}

/**
 * Parses a rules file: a list of rules, or a mapping with `rules: [...]` (applied to any table) and/or
 * `tables: {<name>: [...] | {rules: [...]}}`. Every rule is validated; errors are CONFIG_INVALID with
 * `context.path` naming the key (`rules[2].min`).
 */
export function parseRulesYaml(text: string, opts: ParseRulesOptions = {}): QualityRule[] {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    throw new FloeError('CONFIG_INVALID', `${opts.source ?? 'rules'}: invalid YAML: ${err.message}`, {
      cause: err, context: { path: '', line: pos?.line, column: pos?.col },
    });
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw configError((e as Error).message, '', opts.source);
  }
  if (raw === null || raw === undefined) return [];
  const collected: Array<{ rule: unknown; path: string }> = [];
  const list = (value: unknown, path: string): void => {
    if (!Array.isArray(value)) throw configError(`${path}: expected a list of rules`, path, opts.source);
    value.forEach((rule, i) => collected.push({ rule, path: `${path}[${i}]` }));
  };
  if (Array.isArray(raw)) list(raw, 'rules');
  else if (typeof raw === 'object') {
    const top = raw as Record<string, unknown>;
    for (const key of Object.keys(top)) {
      if (!['version', 'rules', 'tables'].includes(key)) throw configError(`${key}: unknown key (expected rules, tables, version)`, key, opts.source);
    }
    if (top.version !== undefined && top.version !== 1) throw configError('version: only version 1 is known', 'version', opts.source);
    if (top.rules !== undefined) list(top.rules, 'rules');
    if (top.tables !== undefined) {
      if (top.tables === null || typeof top.tables !== 'object' || Array.isArray(top.tables)) throw configError('tables: expected a mapping of table name to rules', 'tables', opts.source);
      for (const [name, value] of Object.entries(top.tables as Record<string, unknown>)) {
        const path = `tables.${name}`;
        const rulesOf = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
        if (rulesOf) {
          for (const k of Object.keys(rulesOf)) if (k !== 'rules') throw configError(`${path}.${k}: unknown key (expected rules)`, `${path}.${k}`, opts.source);
        }
        const items = rulesOf ? rulesOf.rules : value;
        const itemsPath = rulesOf ? `${path}.rules` : path;
        // Every table's rules are checked, so a mistake is found whichever table is validated.
        const before = collected.length;
        list(items, itemsPath);
        if (name !== opts.table) {
          for (const c of collected.splice(before)) normalizeRule(c.rule, c.path, 'CONFIG_INVALID');
        }
      }
    }
  } else {
    throw configError('expected a list of rules or a mapping with rules', '', opts.source);
  }
  const out: QualityRule[] = [];
  const seen = new Set<string>();
  for (const { rule, path } of collected) {
    const r = normalizeRule(rule, path, 'CONFIG_INVALID');
    if (seen.has(r.name)) throw configError(`${path}.name: duplicate rule name ${JSON.stringify(r.name)}`, `${path}.name`, opts.source);
    seen.add(r.name);
    out.push(r);
  }
  return out;
}
