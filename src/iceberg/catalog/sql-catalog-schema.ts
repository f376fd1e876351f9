/**
 * The two tables of the SQL catalog, declared as Iceberg Java's `JdbcUtil` and pyiceberg's `SqlCatalog` declare them
 * (same names, column types and keys), so Java, pyiceberg and floe can share one catalog database.
 */
import { FloeError, isFloeError } from '../../errors.js';
import type { SqlConnection } from './sql-catalog-dialect.js';

/** `iceberg_tables` in the "V1" layout: V0 plus `iceberg_type` (`TABLE`/`VIEW`, NULL for rows written before V1). */
export const CREATE_TABLES_SQL =
  'CREATE TABLE IF NOT EXISTS iceberg_tables (' +
  'catalog_name VARCHAR(255) NOT NULL, table_namespace VARCHAR(255) NOT NULL, table_name VARCHAR(255) NOT NULL, ' +
  'metadata_location VARCHAR(1000), previous_metadata_location VARCHAR(1000), iceberg_type VARCHAR(5), ' +
  'PRIMARY KEY (catalog_name, table_namespace, table_name))';
/** `iceberg_namespace_properties`. */
export const CREATE_NAMESPACE_PROPERTIES_SQL =
  'CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (' +
  'catalog_name VARCHAR(255) NOT NULL, namespace VARCHAR(255) NOT NULL, property_key VARCHAR(255) NOT NULL, ' +
  'property_value VARCHAR(1000), PRIMARY KEY (catalog_name, namespace, property_key))';

/**
 * Creates the catalog tables when absent (unless `create` is false: then `CONFIG_INVALID`) and reports whether
 * `iceberg_tables` has `iceberg_type`. Existing tables are never altered: a V0 database stays usable by the older
 * Java and pyiceberg releases that share it.
 */
export async function initCatalogTables(db: SqlConnection, create: boolean): Promise<boolean> {
  const probe = async (sql: string): Promise<boolean> => {
    try {
      await db.query(sql);
      return true;
    } catch (err) {
      if (isFloeError(err, 'SQL_ERROR')) return false;
      throw err;
    }
  };
  const present = async (): Promise<boolean> =>
    (await probe('SELECT 1 AS x FROM iceberg_tables LIMIT 1')) &&
    (await probe('SELECT 1 AS x FROM iceberg_namespace_properties LIMIT 1'));
  if (!(await present())) {
    if (!create) {
      throw new FloeError('CONFIG_INVALID', 'the catalog database has no iceberg_tables/iceberg_namespace_properties tables');
    }
    try {
      await db.batch([
        { sql: CREATE_TABLES_SQL, params: [] },
        { sql: CREATE_NAMESPACE_PROPERTIES_SQL, params: [] },
      ]);
    } catch (err) {
      // Two processes creating the tables at once: PostgreSQL may fail the loser even with IF NOT EXISTS.
      if (!(await present())) throw err;
    }
  }
  return probe('SELECT iceberg_type FROM iceberg_tables LIMIT 1');
}
