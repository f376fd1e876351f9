/**
 * What every adapter shares once it has read its catalog: the `tables` filter, exact-or-estimated counts, the
 * `CHECK (x IN (...))` enum detection, unknown-type warnings and the fingerprint. Adapters only read catalogs.
 */
import { FloeError } from '../errors.js';
import { schemaFingerprint } from './fingerprint.js';
import type { SourceEnum, SourceSchema, SourceTable, SourceWarning } from './source-schema.js';

/** Below this many (estimated) rows a table is counted exactly: COUNT(*) is cheap and the estimate is often stale. */
export const SMALL_TABLE_ROWS = 100_000;

/** Options of `Source.introspect`. */
export interface IntrospectOptions {
  tables?: string[];
  exactCounts?: boolean;
}

/** Whether to COUNT(*) a table with this estimate (`null`: the database has none). */
export function shouldCountExactly(estimate: number | null, exactCounts: boolean | undefined): boolean {
  return exactCounts === true || estimate === null || estimate < SMALL_TABLE_ROWS;
}

/** Double-quoted SQL identifier (`quote` = '`' for MySQL). */
export function quoteIdent(name: string, quote: '"' | '`' = '"'): string {
  return quote + name.split(quote).join(quote + quote) + quote;
}

/**
 * The names to introspect: all of `available`, or the requested ones, which must all exist. Checked before any
 * table is read so a typo fails fast with TABLE_NOT_FOUND instead of returning a silently shorter schema.
 */
export function selectTables(available: string[], requested: string[] | undefined): Set<string> {
  if (requested === undefined) return new Set(available);
  const have = new Set(available);
  const missing = requested.filter((t) => !have.has(t));
  if (missing.length > 0) {
    throw new FloeError('TABLE_NOT_FOUND', `table(s) not found in the source: ${missing.join(', ')}`, { context: { tables: missing } });
  }
  return new Set(requested);
}

/** `cascade`, `SET_NULL`, `c` (PostgreSQL's code) … as the SQL words: `CASCADE`, `SET NULL`, `NO ACTION`. */
export function normalizeAction(action: string | null | undefined): string | undefined {
  if (action === null || action === undefined || action === '') return undefined;
  const codes: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };
  if (action.length === 1 && codes[action] !== undefined) return codes[action];
  return action.toUpperCase().replace(/_/g, ' ');
}

/** Strips balanced outer parentheses: `((a > 0))` → `a > 0`. */
function stripParens(sql: string): string {
  let s = sql.trim();
  for (;;) {
    if (!s.startsWith('(') || !s.endsWith(')')) return s;
    let depth = 0;
    for (let i = 0; i < s.length; i++) {
      if (s[i] === '(') depth++;
      else if (s[i] === ')') depth--;
      if (depth === 0 && i < s.length - 1) return s;
    }
    s = s.slice(1, -1).trim();
  }
}

const IDENT = String.raw`(?:"((?:[^"]|"")+)"|\x60((?:[^\x60]|\x60\x60)+)\x60|\[([^\]]+)\]|([A-Za-z_][A-Za-z0-9_$]*))`;
const LITERAL = String.raw`'((?:[^']|'')*)'(?:::[a-z ]+)?`;
const LIST = String.raw`${LITERAL}(?:\s*,\s*${LITERAL})*`;
const IN_FORM = new RegExp(String.raw`^${IDENT}(?:::[a-z ]+)?\s+IN\s*\(\s*(${LIST})\s*\)$`, 'i');
// PostgreSQL prints `x IN ('a','b')` as `(x = ANY (ARRAY['a'::text, 'b'::text]))`.
const ANY_FORM = new RegExp(String.raw`^\(?${IDENT}(?:::[a-z ]+)?\)?\s*=\s*ANY\s*\(\s*\(?ARRAY\[\s*(${LIST})\s*\](?:::[a-z ]+\[\])?\)?\s*\)$`, 'i');

/** The column and values of a `CHECK (x IN ('a', 'b'))` (any dialect's printing), or undefined. */
export function checkInValues(sql: string): { column: string; values: string[] } | undefined {
  const body = stripParens(sql.replace(/^\s*CHECK\s*/i, ''));
  const m = IN_FORM.exec(body) ?? ANY_FORM.exec(stripParens(body));
  if (!m) return undefined;
  const column = (m[1] ?? m[2] ?? m[3] ?? m[4]).replace(/""/g, '"').replace(/``/g, '`');
  const values = [...m[5].matchAll(new RegExp(LITERAL, 'g'))].map((v) => v[1].replace(/''/g, "'"));
  return { column, values };
}

/** The columns of `columns` that `sql` mentions as identifiers (for databases that do not say). */
export function columnsMentioned(sql: string, columns: string[]): string[] {
  const withoutStrings = sql.replace(/'(?:[^']|'')*'/g, "''");
  return columns.filter((c) => {
    const esc = c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(String.raw`(?:"${esc}"|\x60${esc}\x60|\[${esc}\]|(?<![A-Za-z0-9_$"\x60])${esc}(?![A-Za-z0-9_$"\x60]))`, 'i').test(withoutStrings);
  });
}

/**
 * Completes a schema: enums from `CHECK (x IN ...)`, UNKNOWN_TYPE warnings, sorted tables and the fingerprint.
 * A check-in column keeps its base `normalized` kind (it is still stored as that type) and gains `enum`.
 */
export function finishSchema(parts: {
  dialect: string;
  database: string;
  tables: SourceTable[];
  enums: SourceEnum[];
  warnings: SourceWarning[];
}): SourceSchema {
  const enums = [...parts.enums];
  const warnings = [...parts.warnings];
  const tables = [...parts.tables].sort((a, b) => a.name.localeCompare(b.name));
  for (const table of tables) {
    for (const check of table.checks) {
      const found = checkInValues(check.sql);
      if (!found) continue;
      const column = table.columns.find((c) => c.name === found.column || c.name.toLowerCase() === found.column.toLowerCase());
      if (!column || column.enum !== undefined) continue;
      const name = `${table.name}_${column.name}`;
      enums.push({ name, values: found.values, origin: 'check-in' });
      column.enum = name;
      check.columns ??= [column.name];
    }
    for (const column of table.columns) {
      if (column.normalized !== 'unknown') continue;
      warnings.push({
        code: 'UNKNOWN_TYPE',
        message: `column ${table.name}.${column.name} has type ${column.type}, which floe does not know; kept as unknown`,
        table: table.name,
        column: column.name,
      });
    }
  }
  return {
    dialect: parts.dialect,
    database: parts.database,
    tables,
    enums,
    warnings,
    fingerprint: schemaFingerprint(tables, enums),
  };
}

/** A connection URL with its password replaced, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z0-9+.-]+:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
}

/** Parses a database connection URL; INVALID_ARGUMENT naming `what` (password redacted) when it is not one. */
export function parseConnectionUrl(url: string, what: string): URL {
  try {
    return new URL(url);
  } catch (cause) {
    throw new FloeError('INVALID_ARGUMENT', `not a ${what} URL: ${redactUrl(url)}`, { cause });
  }
}
