/**
 * Altering a table's schema (spec: "Schema Evolution"): the change built by `schemaChangeUpdates` on the table as
 * it is at each commit attempt, so a concurrent schema change is re-planned on rather than overwritten. Data files
 * are never rewritten: readers match columns by field id (spec "Column Projection").
 */
import type { Catalog, TableIdentifier } from '../catalog/catalog.js';
import { schemaChangeUpdates, type SchemaUpdate } from '../spec/schema-update.js';
import { commitWithRetry, type CommitOutcome } from './commit.js';

/**
 * Evolves the schema of table `id`: `build` is called with a fresh {@link SchemaUpdate} on every attempt (it may run
 * more than once) and the result is committed as the table's new current schema. Refusals of the builder throw
 * `INVALID_ARGUMENT`; a commit that keeps conflicting throws `COMMIT_CONFLICT`.
 */
export function alterTable(catalog: Catalog, id: TableIdentifier, build: (u: SchemaUpdate) => void): Promise<CommitOutcome> {
  return commitWithRetry(catalog, id, async (t) => schemaChangeUpdates(t.metadata, build));
}
