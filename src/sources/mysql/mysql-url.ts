/**
 * A `mysql://` / `mariadb://` URL as connection settings, shared by the introspecting source, the sampler and the
 * extractor (one parser, one set of defaults, one error for a malformed URL).
 */
import { FloeError } from '../../errors.js';
import { parseConnectionUrl, redactUrl } from '../schema-builder.js';

/** What mysql2 needs to connect. */
export interface MysqlConnectionSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/** Parses `url`; the path names the database. INVALID_ARGUMENT (password redacted) when malformed or without one. */
export function mysqlSettings(url: string): MysqlConnectionSettings {
  const parsed = parseConnectionUrl(url, 'MySQL');
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database === '') throw new FloeError('INVALID_ARGUMENT', `the MySQL URL names no database: ${redactUrl(url)}`);
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: parsed.port === '' ? 3306 : Number(parsed.port),
    user: decodeURIComponent(parsed.username) || 'root',
    password: decodeURIComponent(parsed.password),
    database,
  };
}
