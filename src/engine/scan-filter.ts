/**
 * Extracting the part of a query's WHERE clause that applies to one `iceberg_scan` call or one catalog table named
 * in the query, so scan planning can skip files (the engine still filters every row). DuckDB parses the statement
 * (`json_serialize_sql`); comparisons of a column of the scan with a constant, BETWEEN, IS [NOT] NULL, and ANDs and
 * ORs of them are kept (an OR only when every side is). Anything else, or any statement DuckDB cannot serialize
 * (non-SELECT), yields no filter: never a wrong one.
 */
import type { Expression, ComparisonOp } from '../iceberg/expr/expression.js';
import { and, or } from '../iceberg/expr/expression.js';
import { parsePrimitive, type PrimitiveValue } from '../iceberg/spec/types.js';
import { findFieldByName, type Schema } from '../iceberg/spec/schema.js';
import { parseJson, stringifyJson } from '../util/json.js';
import type { Engine } from './duckdb-engine.js';
import { quoteString } from './sql-literals.js';

type Node = Record<string, unknown>;

const OPS: Record<string, ComparisonOp> = {
  COMPARE_EQUAL: 'eq',
  COMPARE_NOTEQUAL: 'neq',
  COMPARE_LESSTHAN: 'lt',
  COMPARE_LESSTHANOREQUALTO: 'lte',
  COMPARE_GREATERTHAN: 'gt',
  COMPARE_GREATERTHANOREQUALTO: 'gte',
};
const FLIP: Record<ComparisonOp, ComparisonOp> = { eq: 'eq', neq: 'neq', lt: 'gt', lte: 'gte', gt: 'lt', gte: 'lte' };

/**
 * The pruning filter for the `iceberg_scan` call at character offset `callStart` of `stmt`, if any. `schema` is the
 * one the scan reads with: an integer constant means a number to DuckDB, while floe's literal convention reads a
 * bigint as a decimal column's unscaled value, so integers are passed as numeric text for numeric columns, and
 * dropped for other columns (DuckDB casts a VARCHAR column to the integer's type, which string bounds cannot prune).
 */
export async function extractScanFilter(engine: Engine, stmt: string, callStart: number, schema: Pick<Schema, 'fields'>): Promise<Expression | undefined> {
  // query_location is a byte offset into the UTF-8 text.
  const byteStart = Buffer.byteLength(stmt.slice(0, callStart), 'utf8');
  return extractFilter(
    engine,
    stmt,
    schema,
    (from) => (from.type === 'TABLE_FUNCTION' && Number((from.function as Node)?.query_location) === byteStart ? String(from.alias ?? '') : undefined),
    (_ast, found) => found[0],
  );
}

/**
 * The pruning filter for a catalog table named `namespace.name` in `stmt`, if any. One view serves every read of the
 * table in the statement, so the filter is the OR of each read's: a file is skipped only when no read can use it,
 * and any read without a usable filter (a join, no WHERE) means no pruning.
 */
export async function extractTableFilter(
  engine: Engine,
  stmt: string,
  namespace: string,
  name: string,
  schema: Pick<Schema, 'fields'>,
): Promise<Expression | undefined> {
  const same = (a: unknown, b: string) => String(a ?? '').toLowerCase() === b.toLowerCase();
  const isTable = (n: Node) => n.type === 'BASE_TABLE' && same(n.schema_name, namespace) && same(n.table_name, name);
  let uses = 0;
  const count = (n: unknown): void => {
    if (n === null || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(count);
    if (isTable(n as Node)) uses++;
    Object.values(n as Node).forEach(count);
  };
  return extractFilter(
    engine,
    stmt,
    schema,
    (from) => (isTable(from) ? String(from.alias || from.table_name) : undefined),
    (ast, found) => {
      count(ast);
      return found.length > 0 && found.length === uses && found.every((f) => f !== undefined) ? (found as Expression[]).reduce((a, b) => or(a, b)) : undefined;
    },
  );
}

/**
 * The WHERE conjuncts of each SELECT whose FROM is a relation `target` accepts (it returns the alias columns may be
 * qualified with; undefined for a SELECT without WHERE), combined by `combine`, with constants evaluated; undefined
 * when there is none or DuckDB cannot serialize the statement.
 */
async function extractFilter(
  engine: Engine,
  stmt: string,
  schema: Pick<Schema, 'fields'>,
  target: (from: Node) => string | undefined,
  combine: (ast: Node, found: Array<Expression | undefined>) => Expression | undefined,
): Promise<Expression | undefined> {
  const ast = await parsedStatement(engine, stmt);
  if (!ast || ast.error) return undefined;
  const found: Array<Expression | undefined> = [];
  const visit = (n: unknown): void => {
    if (n === null || typeof n !== 'object') return;
    if (Array.isArray(n)) {
      n.forEach(visit);
      return;
    }
    const node = n as Node;
    if (node.type === 'SELECT_NODE') {
      const from = node.from_table as Node | undefined;
      const alias = from ? target(from) : undefined;
      if (alias !== undefined) found.push(node.where_clause ? toExpression(node.where_clause as Node, alias) : undefined);
    }
    Object.values(node).forEach(visit);
  };
  visit(ast.statements);
  const combined = combine(ast, found);
  if (!combined || combined.kind === 'true') return undefined;
  const constants: Node[] = [];
  collectConstants(combined, constants);
  if (constants.length === 0) return combined;
  const values = await evaluateConstants(engine, constants);
  return values ? substitute(combined, values, schema) : undefined;
}

const TEMPLATE = new WeakMap<Engine, string>();

/** The last statement each engine parsed: a statement with several scans or tables is parsed once (read only). */
const PARSED = new WeakMap<Engine, { stmt: string; ast: Node | undefined }>();

/** DuckDB's AST of `stmt` (`json_serialize_sql`), or undefined when it cannot serialize it. */
async function parsedStatement(engine: Engine, stmt: string): Promise<Node | undefined> {
  const last = PARSED.get(engine);
  if (last?.stmt === stmt) return last.ast;
  let ast: Node | undefined;
  try {
    const res = await engine.run(`SELECT json_serialize_sql(${quoteString(stmt)})`);
    ast = parseJson(String((await res.getRowsJS())[0][0])) as Node;
  } catch {
    ast = undefined;
  }
  PARSED.set(engine, { stmt, ast });
  return ast;
}

/** Literal placeholders: the expression holds the DuckDB AST node of each constant until it is evaluated. */
const NODE = Symbol('constant node');
type Placeholder = { [NODE]: Node };

function collectConstants(e: Expression, out: Node[]): void {
  if (e.kind === 'and' || e.kind === 'or') {
    collectConstants(e.left, out);
    collectConstants(e.right, out);
  } else if (e.kind === 'compare') {
    out.push((e.value as unknown as Placeholder)[NODE]);
  }
}

const NUMERIC = new Set(['int', 'long', 'decimal', 'float', 'double']);

function substitute(e: Expression, values: Map<Node, PrimitiveValue | null>, schema: Pick<Schema, 'fields'>): Expression | undefined {
  if (e.kind === 'and') {
    const l = substitute(e.left, values, schema);
    const r = substitute(e.right, values, schema);
    return l && r ? and(l, r) : (l ?? r);
  }
  if (e.kind === 'or') {
    // A side that cannot prune (dropped) makes the whole OR unable to.
    const l = substitute(e.left, values, schema);
    const r = substitute(e.right, values, schema);
    return l && r ? or(l, r) : undefined;
  }
  if (e.kind === 'compare') {
    const v = values.get((e.value as unknown as Placeholder)[NODE]);
    if (v === null || v === undefined) return undefined;
    if (typeof v === 'bigint') {
      const field = findFieldByName(schema, e.column) ?? findFieldByName(schema, e.column, false);
      const type = field && typeof field.field.type === 'string' ? parsePrimitive(field.field.type) : undefined;
      return type && NUMERIC.has(type.kind) ? { ...e, value: v.toString() } : undefined;
    }
    return { ...e, value: v };
  }
  return e;
}

/**
 * Evaluates constant expressions exactly as DuckDB types them (`1.23` is a DECIMAL, `'\\x01'::BLOB` bytes,
 * `True` a cast of 't'): the AST nodes are turned back into SQL by DuckDB and selected, each with its text form.
 */
async function evaluateConstants(engine: Engine, nodes: Node[]): Promise<Map<Node, PrimitiveValue | null> | undefined> {
  // Plain integer and string literals carry their value in the AST: no need to ask DuckDB.
  const direct = new Map<Node, PrimitiveValue | null>();
  for (const n of nodes) {
    const v = n.class === 'CONSTANT' ? (n.value as Node) : undefined;
    const id = String(((v?.type as Node | undefined)?.id) ?? '');
    if (v && !v.is_null && /^(INTEGER|BIGINT)$/.test(id) && (typeof v.value === 'number' || typeof v.value === 'bigint')) direct.set(n, BigInt(v.value as number));
    else if (v && !v.is_null && id === 'VARCHAR' && typeof v.value === 'string') direct.set(n, v.value);
  }
  if (direct.size === nodes.length) return direct;
  try {
    let templateText = TEMPLATE.get(engine);
    if (templateText === undefined) {
      templateText = String((await (await engine.run(`SELECT json_serialize_sql('SELECT 1')`)).getRowsJS())[0][0]);
      TEMPLATE.set(engine, templateText);
    }
    const template = parseJson(templateText) as Node;
    const select = (template.statements as Node[])[0].node as Node;
    select.select_list = nodes.map((n, i) => ({ ...n, alias: `c${i}` }));
    const sql = String(
      (await (await engine.run(`SELECT json_deserialize_sql(${quoteString(stringifyJson(template))})`)).getRowsJS())[0][0],
    );
    const res = await engine.run(`SELECT *, COLUMNS(*)::VARCHAR FROM (${sql})`);
    const types = res.columnTypes().map((t) => t.toString());
    const row = (await res.getRowsJS())[0];
    const out = new Map<Node, PrimitiveValue | null>();
    nodes.forEach((n, i) => {
      const value = row[i];
      const text = row[i + nodes.length] as string | null;
      out.set(n, toPrimitive(types[i], value, text));
    });
    return out;
  } catch {
    return undefined;
  }
}

function toPrimitive(type: string, value: unknown, text: string | null): PrimitiveValue | null {
  if (value === null || value === undefined || text === null) return null;
  if (type === 'BOOLEAN') return Boolean(value);
  if (type === 'BLOB') return new Uint8Array(value as Uint8Array);
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/.test(type)) return BigInt(text);
  if (type === 'FLOAT' || type === 'DOUBLE') return Number(value);
  if (type.startsWith('TIMESTAMP')) {
    // DuckDB renders `2024-01-01 10:00:00+00`; ISO-8601 wants a `T` and `+HH:MM`.
    return text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  }
  return text;
}

function columnOf(n: Node, alias: string): string | undefined {
  if (n.class !== 'COLUMN_REF') return undefined;
  const names = n.column_names as string[];
  if (names.length === 1) return names[0];
  if (names.length === 2 && alias && names[0].toLowerCase() === alias.toLowerCase()) return names[1];
  return undefined;
}

/** True for a constant or a cast of a constant (how DuckDB parses `TRUE`, `'x'::BLOB`, `DATE '...'`). */
function isConstant(n: Node): boolean {
  if (n.class === 'CONSTANT') return !(n.value as Node).is_null;
  if (n.class === 'CAST') return isConstant(n.child as Node);
  return false;
}

function toExpression(n: Node, alias: string): Expression {
  const keep: Expression = { kind: 'true' };
  if (n.type === 'CONJUNCTION_AND') {
    return (n.children as Node[]).reduce<Expression>((acc, c) => and(acc, toExpression(c, alias)), keep);
  }
  if (n.type === 'CONJUNCTION_OR') {
    // Prunes only when every side can: a side kept as `true` makes the whole OR `true`.
    return (n.children as Node[]).reduce<Expression>((acc, c) => or(acc, toExpression(c, alias)), { kind: 'false' });
  }
  const op = OPS[String(n.type)];
  if (op && n.class === 'COMPARISON') {
    const l = n.left as Node;
    const r = n.right as Node;
    let col = columnOf(l, alias);
    let c = r;
    let o = op;
    if (!col || !isConstant(c)) {
      col = columnOf(r, alias);
      c = l;
      o = FLIP[op];
    }
    if (col && isConstant(c)) {
      const value = { [NODE]: c } as unknown as PrimitiveValue;
      return { kind: 'compare', op: o, column: col, value };
    }
    return keep;
  }
  if (n.type === 'COMPARE_BETWEEN' && n.class === 'BETWEEN') {
    // `x BETWEEN a AND b` is `x >= a AND x <= b`.
    const col = columnOf(n.input as Node, alias);
    const lower = n.lower as Node;
    const upper = n.upper as Node;
    if (col && isConstant(lower) && isConstant(upper)) {
      return and(
        { kind: 'compare', op: 'gte', column: col, value: { [NODE]: lower } as unknown as PrimitiveValue },
        { kind: 'compare', op: 'lte', column: col, value: { [NODE]: upper } as unknown as PrimitiveValue },
      );
    }
    return keep;
  }
  if (n.type === 'OPERATOR_IS_NULL' || n.type === 'OPERATOR_IS_NOT_NULL') {
    const col = columnOf((n.children as Node[])[0], alias);
    if (col) return { kind: n.type === 'OPERATOR_IS_NULL' ? 'is-null' : 'not-null', column: col };
  }
  return keep;
}
