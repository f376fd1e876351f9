/**
 * The files an upsert or merge must read: only those whose partitions and key bounds can hold an incoming key.
 * From the incoming rows DuckDB computes each key column's min and max (and, for a key column that is the source of
 * an identity partition field, its distinct values when there are few); the resulting Iceberg expression
 * (`k >= min AND k <= max [AND k IN (...)]`) prunes manifests and files with the partition and metrics evaluators
 * (spec: "Scan Planning"), and judges concurrently added files in conflict validation.
 */
import type { Engine } from '../../../engine/duckdb-engine.js';
import { duckdbType, quoteIdent, quoteString } from '../../../engine/sql-literals.js';
import { bindExpression } from '../../../iceberg/expr/bind.js';
import { and, type Expression } from '../../../iceberg/expr/expression.js';
import type { PartitionSpec } from '../../../iceberg/spec/partition-spec.js';
import type { Schema } from '../../../iceberg/spec/schema.js';
import { parsePrimitive, type PrimitiveValue } from '../../../iceberg/spec/types.js';
import { pruningFilter } from './predicate.js';

/** Most distinct values listed in an IN filter for an identity-partitioned key column. */
const MAX_IN_VALUES = 1000;

/** Kinds whose min/max text DuckDB casts back exactly, so a range filter on them is sound. */
const RANGE_KINDS = new Set(['int', 'long', 'date', 'timestamp', 'timestamptz', 'string', 'decimal', 'float', 'double', 'boolean']);

function inValue(kind: string, text: string): PrimitiveValue | undefined {
  if (kind === 'int' || kind === 'long') return BigInt(text);
  if (kind === 'string' || kind === 'date') return text;
  return undefined;
}

/**
 * The pruning expression for rows whose key columns equal some incoming row's (`source` holds the incoming rows
 * under the table's column names). Undefined when nothing can be stated (every file is a candidate then).
 */
export async function incomingKeyFilter(
  engine: Engine,
  source: string,
  schema: Schema,
  specs: PartitionSpec[],
  keys: string[],
): Promise<Expression | undefined> {
  const fields = keys.map((k) => schema.fields.find((f) => f.name === k)).filter((f) => f !== undefined && typeof f.type === 'string');
  const ranged = fields.filter((f) => RANGE_KINDS.has(parsePrimitive(f!.type as string).kind));
  if (ranged.length === 0) return undefined;
  const aggs = ranged.flatMap((f) => {
    const c = quoteIdent(f!.name);
    return [`min(${c})::VARCHAR`, `max(${c})::VARCHAR`, `approx_count_distinct(${c})`];
  });
  const row = (await (await engine.run(`SELECT ${aggs.join(', ')} FROM ${source}`)).getRowsJS())[0];
  const conjuncts: string[] = [];
  let filter: Expression | undefined;
  for (let i = 0; i < ranged.length; i++) {
    const f = ranged[i]!;
    const [lo, hi, distinct] = [row[i * 3], row[i * 3 + 1], Number(row[i * 3 + 2])];
    if (lo === null || hi === null) continue;
    const t = duckdbType(f.type);
    const c = quoteIdent(f.name);
    conjuncts.push(`${c} >= CAST(${quoteString(String(lo))} AS ${t}) AND ${c} <= CAST(${quoteString(String(hi))} AS ${t})`);
    const kind = parsePrimitive(f.type as string).kind;
    const identity = specs.some((s) => s.fields.some((p) => p['source-id'] === f.id && p.transform === 'identity'));
    if (identity && distinct <= MAX_IN_VALUES * 2 && inValue(kind, '0') !== undefined) {
      const values = (await (await engine.run(`SELECT DISTINCT ${c}::VARCHAR FROM ${source} WHERE ${c} IS NOT NULL LIMIT ${MAX_IN_VALUES + 1}`)).getRowsJS()).map(
        (r) => String(r[0]),
      );
      if (values.length <= MAX_IN_VALUES) {
        const e: Expression = { kind: 'in', column: f.name, values: values.map((v) => inValue(kind, v)!) };
        try {
          bindExpression(e, schema, true);
          filter = filter ? and(filter, e) : e;
        } catch {
          // A value the binder cannot take prunes nothing.
        }
      }
    }
  }
  const ranges = conjuncts.length > 0 ? await pruningFilter(engine, schema, conjuncts.join(' AND ')) : undefined;
  if (ranges && filter) return and(ranges, filter);
  return ranges ?? filter;
}
