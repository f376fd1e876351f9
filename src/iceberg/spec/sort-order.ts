/**
 * Sort orders (spec: "Sorting").
 */
import {
  asObject,
  has,
  invalidField,
  optIntList,
  reqArray,
  reqInt,
  reqString,
  type JsonObject,
} from './json-fields.js';

/** One sort field. */
export interface SortField {
  transform: string;
  'source-id': number;
  'source-ids'?: number[];
  direction: 'asc' | 'desc';
  'null-order': 'nulls-first' | 'nulls-last';
}

/** A sort order; order id 0 is reserved for the unsorted order. */
export interface SortOrder {
  'order-id': number;
  fields: SortField[];
}

/** Id of the unsorted order, reserved by the spec ("Sorting": order id 0 is reserved for the unsorted order). */
export const UNSORTED_ORDER_ID = 0;

/** The unsorted order (id 0, no fields). Frozen: use {@link unsortedOrder} for a copy to put in metadata. */
export const UNSORTED_ORDER: Readonly<SortOrder> = Object.freeze({
  'order-id': UNSORTED_ORDER_ID,
  fields: Object.freeze([]) as unknown as SortField[],
});

/** A fresh, mutable copy of the unsorted order. */
export function unsortedOrder(): SortOrder {
  return { 'order-id': UNSORTED_ORDER_ID, fields: [] };
}

/** True for an order without fields, which sorts nothing whatever its id. */
export function isUnsorted(order: SortOrder): boolean {
  return order.fields.length === 0;
}

/**
 * Validates a sort order object from parsed metadata JSON (spec Appendix C "Sort Orders"). Throws
 * `METADATA_INVALID` naming the missing or malformed field.
 */
export function parseSortOrder(json: unknown, where: string): SortOrder {
  const o = asObject(json, where);
  return {
    'order-id': reqInt(o, 'order-id', where),
    fields: reqArray(o, 'fields', where).map((f, i) => parseSortField(f, `${where}.fields[${i}]`)),
  };
}

function parseSortField(json: unknown, where: string): SortField {
  const o: JsonObject = asObject(json, where);
  const sourceIds = optIntList(o, 'source-ids', where);
  // v3 writes only `source-ids` for multi-argument transforms (Appendix C "Sort Orders", note 1).
  const sourceId =
    has(o, 'source-id') || sourceIds === undefined || sourceIds.length === 0
      ? reqInt(o, 'source-id', where)
      : sourceIds[0];
  const direction = reqString(o, 'direction', where);
  if (direction !== 'asc' && direction !== 'desc') invalidField(where, 'direction', '"asc" or "desc"', direction);
  const nullOrder = reqString(o, 'null-order', where);
  if (nullOrder !== 'nulls-first' && nullOrder !== 'nulls-last') {
    invalidField(where, 'null-order', '"nulls-first" or "nulls-last"', nullOrder);
  }
  const field: SortField = {
    transform: reqString(o, 'transform', where),
    'source-id': sourceId,
    direction,
    'null-order': nullOrder,
  };
  if (sourceIds !== undefined) field['source-ids'] = sourceIds;
  return field;
}

/** The spec JSON of a sort order: `source-ids` alone for multi-argument transforms (Appendix C, note 1). */
export function sortOrderToJson(order: SortOrder): Record<string, unknown> {
  return {
    'order-id': order['order-id'],
    fields: order.fields.map((f) => {
      const multi = f['source-ids'] !== undefined && f['source-ids'].length > 1;
      const out: Record<string, unknown> = { transform: f.transform };
      if (!multi) out['source-id'] = f['source-id'];
      if (f['source-ids'] !== undefined) out['source-ids'] = f['source-ids'];
      out.direction = f.direction;
      out['null-order'] = f['null-order'];
      return out;
    }),
  };
}
