/**
 * Evolving a table's partitioning and sort order (spec: "Partition Evolution", "Sorting"). Each change is planned on
 * the table as it is at each commit attempt and committed with retries. No data file is rewritten: old files keep
 * the spec they were written with (manifests record it), new writes use the new default spec and order.
 */
import type { Catalog, TableIdentifier } from '../catalog/catalog.js';
import { partitionSpecChange, type PartitionSpecUpdate } from '../spec/partition-update.js';
import { sortOrderChange, type SortFieldInput } from '../spec/sort-order-update.js';
import { commitWithRetry, type CommitOutcome } from './commit.js';

/**
 * Evolves the default partition spec of table `id`: `build` is called with a fresh {@link PartitionSpecUpdate} on
 * every attempt (it may run more than once). Refusals throw `INVALID_ARGUMENT`; a commit that keeps conflicting
 * throws `COMMIT_CONFLICT`.
 */
export function evolvePartitionSpec(
  catalog: Catalog,
  id: TableIdentifier,
  build: (u: PartitionSpecUpdate) => void,
): Promise<CommitOutcome> {
  return commitWithRetry(catalog, id, async (t) => partitionSpecChange(t.metadata, build));
}

/**
 * Replaces the default sort order of table `id` with one built from `fields` (empty: unsorted). Later writes sort
 * their files by it and record its id in `sort_order_id`.
 */
export function replaceSortOrder(catalog: Catalog, id: TableIdentifier, fields: SortFieldInput[]): Promise<CommitOutcome> {
  return commitWithRetry(catalog, id, async (t) => sortOrderChange(t.metadata, fields));
}
