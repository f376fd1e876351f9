/**
 * Overwrite by a row filter (Iceberg's `OverwriteFiles.overwriteByRowFilter`): the files whose rows all match the
 * filter are replaced. floe decides that exactly from partition values: the filter may name only identity-partition
 * columns, whose value is the same for every row of a file, so DuckDB evaluates it once per file. Filters on other
 * columns would need row-level deletes (a later issue) and are refused rather than approximated. The written rows
 * must match the filter too, as Iceberg validates.
 */
import { FloeError } from '../../errors.js';
import type { DataFile } from '../../iceberg/avro/manifest.js';
import type { Engine } from '../../engine/duckdb-engine.js';
import { duckdbType, quoteIdent } from '../../engine/sql-literals.js';
import { valueToJson } from '../../iceberg/spec/bounds.js';
import type { PartitionSpec } from '../../iceberg/spec/partition-spec.js';
import type { Schema } from '../../iceberg/spec/schema.js';
import { parsePrimitive, type PrimitiveValue } from '../../iceberg/spec/types.js';
import { quoteString } from '../../engine/sql-literals.js';

/** Columns a filter may use: identity-partitioned top-level columns, with their partition field id per spec. */
function identityColumns(schema: Schema, specs: Map<number, PartitionSpec>) {
  return schema.fields
    .filter((f) => typeof f.type === 'string')
    .map((f) => {
      const bySpec = new Map<number, number>();
      for (const [id, spec] of specs) {
        const pf = spec.fields.find((p) => p['source-id'] === f.id && p.transform === 'identity');
        if (pf) bySpec.set(id, pf['field-id']);
      }
      return { field: f, bySpec };
    })
    .filter((c) => c.bySpec.size > 0);
}

function literal(type: string, v: PrimitiveValue | null | undefined): string {
  if (v === null || v === undefined) return `CAST(NULL AS ${duckdbType(type)})`;
  const json = valueToJson(parsePrimitive(type), v);
  const p = parsePrimitive(type);
  const text = p.kind === 'binary' || p.kind === 'fixed' ? String(json).replace(/(..)/g, '\\x$1') : String(json);
  return `CAST(${quoteString(text)} AS ${duckdbType(type)})`;
}

/**
 * Returns, for each file, whether the filter holds for all its rows. Throws UNSUPPORTED when the filter uses a
 * column that is not identity-partitioned in every spec the files use.
 */
export async function filesMatchingFilter(
  engine: Engine,
  filter: string,
  schema: Schema,
  specs: Map<number, PartitionSpec>,
  files: Array<{ file: DataFile; specId: number }>,
): Promise<boolean[]> {
  if (files.length === 0) return [];
  const cols = identityColumns(schema, specs);
  if (cols.length === 0) {
    throw new FloeError('UNSUPPORTED', 'overwrite filters decided per file need identity-partition columns; this table has none');
  }
  const rows = files.map(({ file, specId }, i) => {
    const values = cols.map((c) => {
      const pf = c.bySpec.get(specId);
      if (pf === undefined) {
        throw new FloeError('UNSUPPORTED', `a file of spec ${specId} is not partitioned by ${c.field.name}: the overwrite filter cannot be decided per file`);
      }
      return literal(c.field.type as string, file.partition.get(pf));
    });
    return `(${i}, ${values.join(', ')})`;
  });
  const names = cols.map((c) => quoteIdent(c.field.name)).join(', ');
  try {
    const res = await engine.run(`SELECT i FROM (VALUES ${rows.join(', ')}) AS p(i, ${names}) WHERE (${filter})`);
    const hit = new Set((await res.getRowsJS()).map((r) => Number(r[0])));
    return files.map((_, i) => hit.has(i));
  } catch (err) {
    if ((err as { code?: string }).code === 'SQL_ERROR' && /not found|does not exist|Referenced column/i.test((err as Error).message)) {
      throw new FloeError(
        'UNSUPPORTED',
        `overwrite filters decided per file may use only identity-partition columns (${cols.map((c) => c.field.name).join(', ')})`,
        { cause: err, context: { filter } },
      );
    }
    throw new FloeError('INVALID_ARGUMENT', `bad overwrite filter: ${(err as Error).message.split('\n')[0]}`, { cause: err, context: { filter } });
  }
}

/**
 * How an overwrite filter can be applied: `files` when it is decided exactly per file by identity-partition values
 * (whole files replaced, nothing read), `mismatch` when so decided and some written file falls outside it, `rows`
 * when it names other columns (a row-level delete of the matching rows is needed).
 */
export async function decidedPerFile(
  engine: Engine,
  filter: string,
  schema: Schema,
  specs: Map<number, PartitionSpec>,
  written: DataFile[],
  specId: number,
): Promise<'files' | 'rows' | 'mismatch'> {
  try {
    const ok = await filesMatchingFilter(engine, filter, schema, specs, written.map((file) => ({ file, specId })));
    if (written.length === 0) {
      // No written file to try the filter on: try it on an empty partition tuple of the current spec.
      await filesMatchingFilter(engine, filter, schema, specs, [{ file: { content: 0, file_path: '', file_format: 'PARQUET', partition: new Map(), record_count: 0n, file_size_in_bytes: 0n }, specId }]);
    }
    return ok.every(Boolean) ? 'files' : 'mismatch';
  } catch (err) {
    if (err instanceof FloeError && err.code === 'UNSUPPORTED') return 'rows';
    throw err;
  }
}

/** True when every row of `relation` satisfies `filter` (NULL counts as not satisfying, as in SQL WHERE). */
export async function rowsAllMatch(engine: Engine, relation: string, filter: string): Promise<boolean> {
  try {
    const res = await engine.run(`SELECT count(*) FROM ${relation} AS t WHERE (${filter}) IS NOT TRUE`);
    return Number((await res.getRowsJS())[0][0]) === 0;
  } catch (err) {
    throw new FloeError('INVALID_ARGUMENT', `bad overwrite filter: ${(err as Error).message.split('\n')[0]}`, { cause: err, context: { filter } });
  }
}
