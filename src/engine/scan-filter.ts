/**
 * Extracting the part of a query's WHERE clause that applies to one `iceberg_scan` call, so scan planning can skip
 * files (the engine still filters every row). DuckDB parses the statement (`json_serialize_sql`); only conjuncts
 * comparing a column of the scan with a constant are kept. Anything else, or any statement DuckDB cannot
 * serialize (non-SELECT), yields no filter: never a wrong one.
 */
import type { Expression, ComparisonOp } from '../iceberg/expr/expression.js';
import { and } from '../iceberg/expr/expression.js';
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

/** The pruning filter for the `iceberg_scan` call at character offset `callStart` of `stmt`, if any. */
export async function extractScanFilter(engine: Engine, stmt: string, callStart: number): Promise<Expression | undefined> {
  let ast: Node;
  try {
    const res = await engine.run(`SELECT json_serialize_sql(${quoteString(stmt)})`);
    ast = JSON.parse(String((await res.getRowsJS())[0][0])) as Node;
  } catch {
    return undefined;
  }
  if (ast.error) return undefined;
  // query_location is a byte offset into the UTF-8 text.
  const byteStart = Buffer.byteLength(stmt.slice(0, callStart), 'utf8');
  let found: Expression | undefined;
  const visit = (n: unknown): void => {
    if (found || n === null || typeof n !== 'object') return;
    if (Array.isArray(n)) {
      n.forEach(visit);
      return;
    }
    const node = n as Node;
    if (node.type === 'SELECT_NODE') {
      const from = node.from_table as Node | undefined;
      if (from?.type === 'TABLE_FUNCTION' && Number((from.function as Node)?.query_location) === byteStart && node.where_clause) {
        found = toExpression(node.where_clause as Node, String(from.alias ?? ''));
        return;
      }
    }
    Object.values(node).forEach(visit);
  };
  visit(ast.statements);
  return found;
}

function columnOf(n: Node, alias: string): string | undefined {
  if (n.class !== 'COLUMN_REF') return undefined;
  const names = n.column_names as string[];
  if (names.length === 1) return names[0];
  if (names.length === 2 && alias && names[0].toLowerCase() === alias.toLowerCase()) return names[1];
  return undefined;
}

function constantOf(n: Node): { ok: true; value: unknown } | { ok: false } {
  if (n.class === 'CONSTANT') {
    const v = n.value as Node;
    if (v.is_null) return { ok: false };
    return { ok: true, value: v.value };
  }
  if (n.class === 'CAST') return constantOf(n.child as Node);
  return { ok: false };
}

function toExpression(n: Node, alias: string): Expression {
  const keep: Expression = { kind: 'true' };
  if (n.type === 'CONJUNCTION_AND') {
    return (n.children as Node[]).reduce<Expression>((acc, c) => and(acc, toExpression(c, alias)), keep);
  }
  const op = OPS[String(n.type)];
  if (op && n.class === 'COMPARISON') {
    const l = n.left as Node;
    const r = n.right as Node;
    let col = columnOf(l, alias);
    let c = constantOf(r);
    let o = op;
    if (!col || !c.ok) {
      col = columnOf(r, alias);
      c = constantOf(l);
      o = FLIP[op];
    }
    if (col && c.ok && c.value !== null && typeof c.value !== 'object') {
      return { kind: 'compare', op: o, column: col, value: c.value as string | number | boolean };
    }
    return keep;
  }
  if (n.type === 'OPERATOR_IS_NULL' || n.type === 'OPERATOR_IS_NOT_NULL') {
    const col = columnOf((n.children as Node[])[0], alias);
    if (col) return { kind: n.type === 'OPERATOR_IS_NULL' ? 'is-null' : 'not-null', column: col };
  }
  return keep;
}
