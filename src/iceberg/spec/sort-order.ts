/**
 * Sort orders (spec: "Sorting").
 */

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
