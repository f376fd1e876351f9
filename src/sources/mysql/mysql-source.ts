/**
 * MySQL / MariaDB source (`mysql://user:pass@host:port/db`, `mariadb://…`), introspected from information_schema.
 * `mysql2` is loaded lazily so that floe does not load it unless a MySQL source is opened.
 */
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { mysqlSettings, type MysqlConnectionSettings } from './mysql-url.js';
import { FloeError } from '../../errors.js';
import { normalizeMysqlType, typeParameters } from '../normalize-type.js';
import {
  columnsMentioned, finishSchema, normalizeAction, quoteIdent, redactUrl, selectTables, shouldCountExactly, type IntrospectOptions,
} from '../schema-builder.js';
import type { Source, SourceColumn, SourceEnum, SourceSchema, SourceTable, SourceWarning } from '../source-schema.js';

/** A failed connection or query as a FloeError: unreachable → SOURCE_UNAVAILABLE (retryable), bad login → AUTH_FAILED. */
export function mysqlError(cause: unknown, what: string): FloeError {
  const err = cause as { code?: string; errno?: number; message?: string };
  const message = `${what}: ${err.message ?? String(cause)}`;
  if (err.code === 'ER_ACCESS_DENIED_ERROR' || err.code === 'ER_DBACCESS_DENIED_ERROR' || err.errno === 1045) {
    return new FloeError('AUTH_FAILED', message, { cause });
  }
  if (err.code === 'ER_BAD_DB_ERROR') return new FloeError('NOT_FOUND', message, { cause });
  if (['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET', 'EAI_AGAIN', 'PROTOCOL_CONNECTION_LOST', 'ER_CON_COUNT_ERROR'].includes(err.code ?? '')) {
    return new FloeError('SOURCE_UNAVAILABLE', message, { cause, retryable: true });
  }
  return new FloeError('SQL_ERROR', message, { cause });
}

/**
 * One connection to `url` (`mysql://` or `mariadb://`; the path names the database), as the source and the sampler
 * open it: a 5 s connect timeout, a dropped connection's 'error' event handled (it would otherwise be unhandled),
 * a refusal as a FloeError with the password redacted.
 */
export async function connectMysql(url: string): Promise<{ connection: Connection; settings: MysqlConnectionSettings }> {
  const settings = mysqlSettings(url);
  const mysql = await import('mysql2/promise');
  try {
    const connection = await mysql.createConnection({ ...settings, connectTimeout: 5000 });
    connection.on('error', () => {});
    return { connection, settings };
  } catch (cause) {
    throw mysqlError(cause, `cannot connect to MySQL at ${redactUrl(url)}`);
  }
}

/** The values of `enum('a','b')` (quotes doubled inside values, as MySQL prints them). */
export function mysqlEnumValues(columnType: string): string[] {
  const inner = /^enum\((.*)\)$/is.exec(columnType.trim())?.[1] ?? '';
  return [...inner.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1].replace(/''/g, "'"));
}

type Row = RowDataPacket & Record<string, unknown>;

/** A MySQL or MariaDB database. */
export class MysqlSource implements Source {
  readonly dialect = 'mysql';

  private constructor(
    private readonly connection: Connection,
    private readonly database: string,
  ) {}

  /** Connects to `url` (`mysql://` or `mariadb://`); the URL's path names the database. */
  static async open(url: string): Promise<MysqlSource> {
    const { connection, settings } = await connectMysql(url);
    return new MysqlSource(connection, settings.database);
  }

  private async query(sql: string, params: unknown[] = []): Promise<Row[]> {
    try {
      const [rows] = await this.connection.query<Row[]>(sql, params);
      return rows;
    } catch (cause) {
      throw mysqlError(cause, 'MySQL introspection query failed');
    }
  }

  /** Reads the schema. */
  async introspect(options: IntrospectOptions = {}): Promise<SourceSchema> {
    const db = this.database;
    const rels = await this.query(
      `SELECT TABLE_NAME AS name, TABLE_TYPE AS type, TABLE_COMMENT AS comment, TABLE_ROWS AS est,
              DATA_LENGTH AS data_length, INDEX_LENGTH AS index_length
         FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME`,
      [db],
    );
    const wanted = selectTables(rels.map((r) => String(r.name)), options.tables);
    const cols = await this.query(
      `SELECT TABLE_NAME AS tbl, COLUMN_NAME AS name, ORDINAL_POSITION AS pos, COLUMN_DEFAULT AS def, IS_NULLABLE AS nullable,
              COLUMN_TYPE AS type, EXTRA AS extra, COLUMN_COMMENT AS comment, GENERATION_EXPRESSION AS gen
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`,
      [db],
    );
    const keys = await this.query(
      `SELECT tc.TABLE_NAME AS tbl, tc.CONSTRAINT_NAME AS name, tc.CONSTRAINT_TYPE AS type, k.COLUMN_NAME AS col,
              k.REFERENCED_TABLE_SCHEMA AS rschema, k.REFERENCED_TABLE_NAME AS rtable, k.REFERENCED_COLUMN_NAME AS rcol,
              rc.DELETE_RULE AS del, rc.UPDATE_RULE AS upd
         FROM information_schema.TABLE_CONSTRAINTS tc
         JOIN information_schema.KEY_COLUMN_USAGE k
           ON k.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND k.TABLE_NAME = tc.TABLE_NAME AND k.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
         LEFT JOIN information_schema.REFERENTIAL_CONSTRAINTS rc
           ON rc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND rc.TABLE_NAME = tc.TABLE_NAME AND rc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
        WHERE tc.TABLE_SCHEMA = ? AND tc.CONSTRAINT_TYPE IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')
        ORDER BY tc.TABLE_NAME, tc.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
      [db],
    );
    const checks = await this.checkRows();
    const stats = await this.query(
      `SELECT * FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
      [db],
    );

    const enums: SourceEnum[] = [];
    const warnings: SourceWarning[] = [];
    const tables: SourceTable[] = [];
    for (const rel of rels.filter((r) => wanted.has(String(r.name)))) {
      const name = String(rel.name);
      const isView = String(rel.type) === 'VIEW';
      const tableChecks = checks.filter((c) => c.tbl === name);
      const columns: SourceColumn[] = cols.filter((c) => c.tbl === name).map((c, i) => {
        const type = String(c.type);
        const colName = String(c.name);
        let normalized = normalizeMysqlType(type);
        // MariaDB's JSON is LONGTEXT plus CHECK (json_valid(col)): the check is how it says "json".
        if (normalized === 'text' && tableChecks.some((k) => new RegExp(`^\\(?json_valid\\(\`${colName}\`\\)\\)?$`, 'i').test(k.sql))) normalized = 'json';
        const extra = String(c.extra ?? '').toLowerCase();
        const gen = c.gen === null || c.gen === undefined || c.gen === '' ? undefined : String(c.gen);
        // MariaDB prints "no default" of a nullable column as the string NULL; it means the same as none.
        const def = c.def === null || c.def === undefined || c.def === 'NULL' || gen !== undefined ? undefined : String(c.def);
        let enumName: string | undefined;
        if (normalized === 'enum') {
          enumName = `${name}_${colName}`;
          enums.push({ name: enumName, values: mysqlEnumValues(type), origin: 'enum-column' });
        }
        return {
          name: colName,
          type,
          normalized,
          nullable: c.nullable === 'YES',
          ...typeParameters(type, normalized),
          ...(def !== undefined ? { default: def } : {}),
          ...(extra.includes('auto_increment') ? { identity: true } : {}),
          ...(gen !== undefined ? { generated: gen } : {}),
          ...(c.comment ? { comment: String(c.comment) } : {}),
          ...(enumName !== undefined ? { enum: enumName } : {}),
          ordinal: i + 1,
        };
      });
      const colNames = columns.map((c) => c.name);
      const est = rel.est === null || rel.est === undefined ? null : Number(rel.est);
      const table: SourceTable = {
        name,
        kind: isView ? 'view' : 'table',
        ...(rel.comment && !isView ? { comment: String(rel.comment) } : {}),
        columns,
        primary_keys: keys.filter((k) => k.tbl === name && k.type === 'PRIMARY KEY').map((k) => String(k.col)),
        unique_constraints: [],
        foreign_keys: [],
        checks: tableChecks.map((k) => ({ name: k.name, sql: k.sql, columns: columnsMentioned(k.sql, colNames) })),
        indexes: [],
        row_count: null,
        row_count_exact: false,
        size_bytes: isView || rel.data_length === null ? null : Number(rel.data_length) + Number(rel.index_length ?? 0),
      };
      for (const k of keys.filter((k) => k.tbl === name && k.type !== 'PRIMARY KEY')) {
        if (k.type === 'UNIQUE') {
          const u = table.unique_constraints.find((x) => x.name === k.name);
          if (u) u.columns.push(String(k.col));
          else table.unique_constraints.push({ name: String(k.name), columns: [String(k.col)] });
        } else {
          let fk = table.foreign_keys.find((x) => x.name === k.name);
          if (!fk) {
            fk = {
              name: String(k.name), columns: [], referencedTable: String(k.rtable), referencedColumns: [],
              ...(k.rschema && k.rschema !== db ? { referencedSchema: String(k.rschema) } : {}),
              onDelete: normalizeAction(k.del as string | null), onUpdate: normalizeAction(k.upd as string | null),
            };
            table.foreign_keys.push(fk);
          }
          fk.columns.push(String(k.col));
          fk.referencedColumns.push(String(k.rcol));
        }
      }
      for (const s of stats.filter((s) => s.TABLE_NAME === name)) {
        const ixName = String(s.INDEX_NAME);
        let ix = table.indexes.find((x) => x.name === ixName);
        if (!ix) {
          ix = { name: ixName, columns: [], unique: Number(s.NON_UNIQUE) === 0, method: String(s.INDEX_TYPE).toLowerCase() };
          if (ixName === 'PRIMARY') ix.primary = true;
          table.indexes.push(ix);
        }
        // MySQL 8.0.13+ functional key parts have no column and an EXPRESSION; MariaDB has no such column.
        if (s.COLUMN_NAME !== null && s.COLUMN_NAME !== undefined) ix.columns.push(String(s.COLUMN_NAME));
        else if (s.EXPRESSION) ix.expression = ix.expression === undefined ? String(s.EXPRESSION) : `${ix.expression}, ${String(s.EXPRESSION)}`;
      }
      if (!isView && (options.exactCounts === true || shouldCountExactly(est, options.exactCounts))) {
        const rows = await this.query(`SELECT COUNT(*) AS n FROM ${quoteIdent(name, '`')}`);
        table.row_count = Number(rows[0].n);
        table.row_count_exact = true;
      } else if (isView && options.exactCounts === true) {
        const rows = await this.query(`SELECT COUNT(*) AS n FROM ${quoteIdent(name, '`')}`);
        table.row_count = Number(rows[0].n);
        table.row_count_exact = true;
      } else {
        table.row_count = isView ? null : est;
      }
      tables.push(table);
    }
    return finishSchema({ dialect: this.dialect, database: db, tables, enums, warnings });
  }

  /**
   * CHECK constraints (MySQL 8.0.16+, MariaDB 10.2+). MariaDB's CHECK_CONSTRAINTS has TABLE_NAME (its check names
   * are only unique per table); MySQL's does not, and its names are unique per schema, so the join is exact there.
   */
  private async checkRows(): Promise<Array<{ tbl: string; name: string; sql: string }>> {
    const db = this.database;
    let rows: Row[];
    try {
      rows = await this.query(
        `SELECT TABLE_NAME AS tbl, CONSTRAINT_NAME AS name, CHECK_CLAUSE AS clause FROM information_schema.CHECK_CONSTRAINTS
          WHERE CONSTRAINT_SCHEMA = ? ORDER BY TABLE_NAME, CONSTRAINT_NAME`,
        [db],
      );
    } catch {
      try {
        rows = await this.query(
          `SELECT tc.TABLE_NAME AS tbl, cc.CONSTRAINT_NAME AS name, cc.CHECK_CLAUSE AS clause
             FROM information_schema.CHECK_CONSTRAINTS cc JOIN information_schema.TABLE_CONSTRAINTS tc
               ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME AND tc.CONSTRAINT_TYPE = 'CHECK'
            WHERE cc.CONSTRAINT_SCHEMA = ? ORDER BY tc.TABLE_NAME, cc.CONSTRAINT_NAME`,
          [db],
        );
      } catch {
        // Servers before CHECK support parse and ignore CHECK clauses, so there is nothing to read.
        return [];
      }
    }
    return rows.map((r) => ({ tbl: String(r.tbl), name: String(r.name), sql: String(r.clause) }));
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    await this.connection.end().catch(() => {});
  }
}
