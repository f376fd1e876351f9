/**
 * Opens a source from its URL: `postgresql://` / `postgres://`, `mysql://` / `mariadb://`, `sqlite:path`,
 * `duckdb:path`. Each adapter is imported only when its scheme is used, so unused drivers are never loaded.
 */
import { FloeError } from '../errors.js';
import { redactUrl } from './schema-builder.js';
import type { Source } from './source-schema.js';

/** Opens the source `url` names. Unknown schemes are INVALID_ARGUMENT; the password never appears in errors. */
export async function openSource(url: string): Promise<Source> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'postgresql':
    case 'postgres':
      return (await import('./postgres/postgres-source.js')).PostgresSource.open(url);
    case 'mysql':
    case 'mariadb':
      return (await import('./mysql/mysql-source.js')).MysqlSource.open(url);
    case 'sqlite':
      return (await import('./sqlite/sqlite-source.js')).SqliteSource.open(url);
    case 'duckdb':
      return (await import('./duckdb/duckdb-source.js')).DuckdbSource.open(url);
    default:
      throw new FloeError(
        'INVALID_ARGUMENT',
        `unsupported source URL ${redactUrl(url)}: expected postgresql://, mysql://, mariadb://, sqlite:path or duckdb:path`,
      );
  }
}
