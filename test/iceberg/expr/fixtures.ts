/**
 * Shared fixtures for the expression (pruning) tests: one table schema holding a column of each type the tests
 * bind filters to, and a builder for comparison filters.
 */
import type { ComparisonOp, Expression } from '../../../src/iceberg/expr/expression.js';
import type { Schema } from '../../../src/iceberg/spec/schema.js';
import type { PrimitiveValue } from '../../../src/iceberg/spec/types.js';

/**
 * The test table: top-level primitive columns `id` (1, long, required), `i` (2, int), `s` (3, string), `d` (4,
 * date), `ts` (5, timestamp), `tstz` (6, timestamptz), `dec` (7, decimal(9,2)), `f` (8, float), `dbl` (9, double),
 * `u` (10, uuid), `ts_ns` (11, timestamp_ns), `t` (12, time); a struct `loc` (13) with a double `Lat` (14); and a
 * list of strings `tags` (15, element 16).
 */
export const schema: Schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'i', required: false, type: 'int' },
    { id: 3, name: 's', required: false, type: 'string' },
    { id: 4, name: 'd', required: false, type: 'date' },
    { id: 5, name: 'ts', required: false, type: 'timestamp' },
    { id: 6, name: 'tstz', required: false, type: 'timestamptz' },
    { id: 7, name: 'dec', required: false, type: 'decimal(9,2)' },
    { id: 8, name: 'f', required: false, type: 'float' },
    { id: 9, name: 'dbl', required: false, type: 'double' },
    { id: 10, name: 'u', required: false, type: 'uuid' },
    { id: 11, name: 'ts_ns', required: false, type: 'timestamp_ns' },
    { id: 12, name: 't', required: false, type: 'time' },
    {
      id: 13,
      name: 'loc',
      required: false,
      type: { type: 'struct', fields: [{ id: 14, name: 'Lat', required: false, type: 'double' }] },
    },
    { id: 15, name: 'tags', required: false, type: { type: 'list', 'element-id': 16, element: 'string', 'element-required': false } },
  ],
};

/** The unbound filter `column op value`. */
export function cmp(op: ComparisonOp, column: string, value: PrimitiveValue): Expression {
  return { kind: 'compare', op, column, value };
}
