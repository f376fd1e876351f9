/**
 * Partition specs (spec: "Partitioning").
 */

/** One partition field. `transform` is the spec's string: `identity`, `bucket[16]`, `truncate[4]`, `day`, `void`... */
export interface PartitionField {
  'source-id': number;
  /** v3 multi-argument transforms list several sources; `source-id` is then the first. */
  'source-ids'?: number[];
  'field-id': number;
  name: string;
  transform: string;
}

/** A partition spec. */
export interface PartitionSpec {
  'spec-id': number;
  fields: PartitionField[];
}
