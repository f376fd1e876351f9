/**
 * Replacing a table's sort order (spec: "Sorting"): builds a sort order from column names and produces the table
 * change that adds it and makes it the default. Pure. Writers sort new files by the default order and record its
 * id in each data file's `sort_order_id`; existing files are not rewritten.
 *
 * Every refusal is a `FloeError` with code `INVALID_ARGUMENT`.
 */
import { FloeError, isFloeError } from '../../errors.js';
import { findFieldByName, type Schema } from './schema.js';
import { UNSORTED_ORDER_ID, type SortField, type SortOrder } from './sort-order.js';
import { currentSchema, type TableMetadata } from './table-metadata.js';
import type { TableChange } from './table-update.js';
import { canTransform, parseTransform, transformToString } from './transforms.js';
import { splitTopLevel } from './partition-builder.js';

/** One sort field as users write it. */
export interface SortFieldInput {
  column: string;
  /** Spec transform string (`identity` when omitted, also `bucket[16]`, `day`...). */
  transform?: string;
  /** Default `asc`. */
  direction?: 'asc' | 'desc';
  /** Default: `nulls-first` for asc, `nulls-last` for desc (Java's and Spark's default). */
  nullOrder?: 'nulls-first' | 'nulls-last';
}

function invalid(message: string, context: Record<string, unknown> = {}): never {
  throw new FloeError('INVALID_ARGUMENT', message, { context });
}

/**
 * Builds a sort order (id `orderId`) on `schema`. An empty list is the unsorted order (id 0, spec "Sorting": order
 * id 0 is reserved for the unsorted order). Unknown or non-primitive columns, transforms that do not apply, and a
 * repeated column+transform throw `INVALID_ARGUMENT`.
 */
export function buildSortOrder(schema: Schema, inputs: SortFieldInput[], orderId = 1): SortOrder {
  if (inputs.length === 0) return { 'order-id': UNSORTED_ORDER_ID, fields: [] };
  const seen = new Set<string>();
  const fields: SortField[] = inputs.map((input) => {
    const source = findFieldByName(schema, input.column);
    if (source === undefined) invalid(`sort column '${input.column}' is not in the table`, { column: input.column });
    const text = input.transform ?? 'identity';
    let ok = false;
    let transform = text;
    try {
      const t = parseTransform(text);
      transform = transformToString(t);
      ok = t.kind !== 'unknown' && typeof source.field.type === 'string' && canTransform(t, source.field.type);
    } catch (err) {
      if (!isFloeError(err)) throw err;
    }
    if (!ok) invalid(`cannot sort by ${text}(${input.column})`, { column: input.column, transform: text });
    const direction = input.direction ?? 'asc';
    if (direction !== 'asc' && direction !== 'desc') invalid(`bad sort direction '${String(direction)}'`, { column: input.column });
    const nullOrder = input.nullOrder ?? (direction === 'asc' ? 'nulls-first' : 'nulls-last');
    if (nullOrder !== 'nulls-first' && nullOrder !== 'nulls-last') invalid(`bad null order '${String(nullOrder)}'`, { column: input.column });
    const key = `${source.field.id}:${transform}`;
    if (seen.has(key)) invalid(`sort field ${transform}(${input.column}) is given twice`, { column: input.column });
    seen.add(key);
    return { transform, 'source-id': source.field.id, direction, 'null-order': nullOrder };
  });
  return { 'order-id': orderId, fields };
}

/**
 * Parses `ts desc nulls last, id, name asc nulls first` (also `day(ts) desc`, `bucket(16, id)`) into sort field
 * inputs. Throws `INVALID_ARGUMENT` with the offending part.
 */
export function parseSortExpression(text: string): SortFieldInput[] {
  return splitTopLevel(text)
    .filter((p) => p !== '')
    .map((p) => {
      const m = /^(.*?)(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?$/i.exec(p);
      const term = m?.[1].trim() ?? '';
      let column: string | undefined;
      let transform: string | undefined;
      let t = /^(year|years|month|months|day|days|hour|hours|identity)\s*\(\s*([^(),\s]+)\s*\)$/i.exec(term);
      if (t) {
        transform = t[1].toLowerCase().replace(/s$/, '');
        column = t[2];
      } else if ((t = /^(bucket|truncate)\s*\(\s*(\d+)\s*,\s*([^(),\s]+)\s*\)$/i.exec(term))) {
        transform = `${t[1].toLowerCase()}[${t[2]}]`;
        column = t[3];
      } else if (/^[A-Za-z_][\w.]*$/.test(term)) {
        column = term;
      }
      if (m === null || column === undefined) {
        invalid(`bad sort expression '${p}' (examples: ts desc nulls last, id, day(ts) asc)`, { expression: p });
      }
      const input: SortFieldInput = { column };
      if (transform !== undefined) input.transform = transform;
      if (m[2] !== undefined) input.direction = m[2].toLowerCase() as 'asc' | 'desc';
      if (m[3] !== undefined) input.nullOrder = m[3].toLowerCase() === 'first' ? 'nulls-first' : 'nulls-last';
      return input;
    });
}

/**
 * The table change replacing the default sort order with one built from `fields` on the current schema (an empty
 * list makes the table unsorted). The catalog assigns the order id, reusing an identical existing order; the
 * requirement pins the default order the change was planned on.
 */
export function sortOrderChange(metadata: TableMetadata, fields: SortFieldInput[]): TableChange {
  const nextId = Math.max(1, ...metadata['sort-orders'].map((o) => o['order-id'] + 1));
  const order = buildSortOrder(currentSchema(metadata), fields, nextId);
  return {
    updates: [
      { action: 'add-sort-order', 'sort-order': order },
      { action: 'set-default-sort-order', 'sort-order-id': -1 },
    ],
    requirements: [{ type: 'assert-default-sort-order-id', 'default-sort-order-id': metadata['default-sort-order-id'] }],
  };
}
