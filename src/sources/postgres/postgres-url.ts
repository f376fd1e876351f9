/**
 * A `postgresql://` URL as a connection string and schema, shared by the introspecting source, the sampler and the
 * extractor: `?schema=` (floe's, default `public`) is taken off before the string reaches the driver.
 */
import { parseConnectionUrl } from '../schema-builder.js';

/** The driver's connection string, the schema, and the database name. */
export interface PostgresConnectionSettings {
  connectionString: string;
  schema: string;
  database: string;
}

/** Parses `url`. INVALID_ARGUMENT (password redacted) when it is not a URL. */
export function postgresSettings(url: string): PostgresConnectionSettings {
  const parsed = parseConnectionUrl(url, 'PostgreSQL');
  const schema = parsed.searchParams.get('schema') ?? 'public';
  parsed.searchParams.delete('schema');
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || decodeURIComponent(parsed.username) || 'postgres';
  return { connectionString: parsed.toString(), schema, database };
}
