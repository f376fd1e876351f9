/**
 * SQLite source (`sqlite:path`), introspected with PRAGMA table_xinfo / foreign_key_list / index_list / index_xinfo;
 * CHECKs, generated expressions and partial/expression index text come from sqlite_master's stored SQL.
 */
import { existsSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import { FloeError } from '../../errors.js';
import { normalizeSqliteType, typeParameters } from '../normalize-type.js';
import {
  columnsMentioned, finishSchema, normalizeAction, quoteIdent, selectTables, shouldCountExactly, type IntrospectOptions,
} from '../schema-builder.js';
import type { Source, SourceColumn, SourceSchema, SourceTable, SourceWarning } from '../source-schema.js';
import { extractChecks, generatedExpression, indexParts, tableFlags, tableParts } from '../ddl-text.js';

interface XInfo { cid: number; name: string; type: string; notnull: number; dflt_value: string | null; pk: number; hidden: number }
interface FkRow { id: number; seq: number; table: string; from: string; to: string | null; on_update: string; on_delete: string }
interface IndexRow { name: string; unique: number; origin: string; partial: number }
interface IndexCol { seqno: number; cid: number; name: string | null; key: number }

/** A SQLite database file, opened read-only. */
export class SqliteSource implements Source {
  readonly dialect = 'sqlite';

  private constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly path: string,
  ) {}

  /** Opens `sqlite:path` (or a bare path) read-only; a missing file is NOT_FOUND rather than a new empty database. */
  static async open(url: string): Promise<SqliteSource> {
    const path = url.replace(/^sqlite:(\/\/)?/i, '');
    if (path === '' || !existsSync(path)) throw new FloeError('NOT_FOUND', `SQLite database file not found: ${path}`, { context: { path } });
    const Database = (await import('better-sqlite3')).default;
    try {
      return new SqliteSource(new Database(path, { readonly: true, fileMustExist: true }), path);
    } catch (cause) {
      throw new FloeError('IO_ERROR', `cannot open SQLite database ${path}: ${(cause as Error).message}`, { cause });
    }
  }

  private all<T>(sql: string): T[] {
    try {
      return this.db.prepare(sql).all() as T[];
    } catch (cause) {
      const message = (cause as Error).message;
      // SQLITE_NOTADB and friends: the file is not (or no longer) a readable database.
      if (/not a database|disk I\/O|malformed/i.test(message)) throw new FloeError('IO_ERROR', `SQLite: ${message}`, { cause });
      throw new FloeError('SQL_ERROR', `SQLite introspection query failed: ${message}`, { cause, context: { sql } });
    }
  }

  /** Reads the schema. */
  async introspect(options: IntrospectOptions = {}): Promise<SourceSchema> {
    const objects = this.all<{ type: string; name: string; sql: string | null }>(
      `SELECT type, name, sql FROM sqlite_master WHERE type IN ('table','view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`,
    );
    const wanted = selectTables(objects.map((o) => o.name), options.tables);
    const indexSql = new Map(this.all<{ name: string; sql: string | null }>(`SELECT name, sql FROM sqlite_master WHERE type = 'index'`).map((r) => [r.name, r.sql]));
    const estimates = this.statEstimates();
    const warnings: SourceWarning[] = [];
    const tables: SourceTable[] = [];
    for (const obj of objects.filter((o) => wanted.has(o.name))) {
      const q = obj.name.replace(/'/g, "''");
      const createSql = obj.sql ?? '';
      const parts = tableParts(createSql);
      const flags = tableFlags(createSql);
      // hidden: 0 normal, 1 hidden (virtual tables), 2 virtual generated, 3 stored generated.
      const xinfo = this.all<XInfo>(`PRAGMA table_xinfo('${q}')`).filter((c) => c.hidden !== 1);
      const pkCols = xinfo.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
      const columns: SourceColumn[] = xinfo.map((c, i) => {
        const normalized = normalizeSqliteType(c.type);
        // An INTEGER PRIMARY KEY of a rowid table is the rowid: SQLite assigns it (AUTOINCREMENT only avoids reuse).
        const rowidAlias = obj.type === 'table' && !flags.withoutRowid && pkCols.length === 1 && pkCols[0] === c.name && c.type.toUpperCase() === 'INTEGER';
        const generated = c.hidden >= 2 ? (generatedExpression(parts.columns.get(c.name) ?? '') ?? '') : undefined;
        return {
          name: c.name,
          type: c.type,
          normalized,
          // A rowid alias is NOT NULL in effect even though PRAGMA reports notnull 0.
          nullable: c.notnull === 0 && !rowidAlias && !(flags.withoutRowid && c.pk > 0),
          ...typeParameters(c.type, normalized),
          ...(c.dflt_value !== null ? { default: c.dflt_value } : {}),
          ...(rowidAlias ? { identity: true } : {}),
          ...(generated !== undefined ? { generated } : {}),
          ordinal: i + 1,
        };
      });
      const colNames = columns.map((c) => c.name);
      const table: SourceTable = {
        name: obj.name,
        kind: obj.type === 'view' ? 'view' : 'table',
        columns,
        primary_keys: pkCols,
        unique_constraints: [],
        foreign_keys: [],
        checks: extractChecks(obj.type === 'table' ? createSql : '').map((k, n) => ({
          name: k.name ?? `${obj.name}_check_${n + 1}`,
          sql: k.sql,
          columns: columnsMentioned(k.sql, colNames),
        })),
        indexes: [],
        row_count: null,
        row_count_exact: false,
        // SQLite has no per-table size without the optional dbstat extension.
        size_bytes: null,
      };
      if (obj.type === 'table') {
        const fks = this.all<FkRow>(`PRAGMA foreign_key_list('${q}')`);
        for (const id of [...new Set(fks.map((f) => f.id))].sort((a, b) => a - b)) {
          const rows = fks.filter((f) => f.id === id).sort((a, b) => a.seq - b.seq);
          const from = rows.map((r) => r.from);
          // `to` is null when the reference names only the table: it then means that table's primary key.
          const to = rows.every((r) => r.to !== null) ? rows.map((r) => r.to as string) : this.primaryKeyOf(rows[0].table);
          table.foreign_keys.push({
            name: `${obj.name}_${from.join('_')}_fkey`,
            columns: from,
            referencedTable: rows[0].table,
            referencedColumns: to,
            onDelete: normalizeAction(rows[0].on_delete),
            onUpdate: normalizeAction(rows[0].on_update),
          });
        }
        for (const ix of this.all<IndexRow>(`PRAGMA index_list('${q}')`).sort((a, b) => a.name.localeCompare(b.name))) {
          const keyCols = this.all<IndexCol>(`PRAGMA index_xinfo('${ix.name.replace(/'/g, "''")}')`).filter((c) => c.key === 1).sort((a, b) => a.seqno - b.seqno);
          const names = keyCols.filter((c) => c.cid >= 0 && c.name !== null).map((c) => c.name as string);
          const text = indexSql.get(ix.name);
          const ddl = text ? indexParts(text) : undefined;
          // cid -2 marks an expression key part; the text of the key list is the only place the expression lives.
          const hasExpression = keyCols.some((c) => c.cid === -2);
          table.indexes.push({
            name: ix.name,
            columns: names,
            unique: ix.unique === 1,
            ...(ix.origin === 'pk' ? { primary: true } : {}),
            ...(hasExpression && ddl ? { expression: ddl.keys } : {}),
            ...(ix.partial === 1 && ddl?.where !== undefined ? { where: ddl.where } : {}),
            method: 'btree',
          });
          if (ix.origin === 'u') table.unique_constraints.push({ name: ix.name, columns: names });
        }
      }
      const estimate = estimates.get(obj.name) ?? null;
      if (table.kind === 'view' ? options.exactCounts === true : shouldCountExactly(estimate, options.exactCounts)) {
        table.row_count = Number(this.all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${quoteIdent(obj.name)}`)[0].n);
        table.row_count_exact = true;
      } else if (table.kind === 'table') {
        table.row_count = estimate;
      }
      tables.push(table);
    }
    return finishSchema({ dialect: this.dialect, database: this.path, tables, enums: [], warnings });
  }

  /** Row estimates from sqlite_stat1 (written by ANALYZE), when it exists: its first number is the table's rows. */
  private statEstimates(): Map<string, number> {
    const out = new Map<string, number>();
    const has = this.all<{ n: number }>(`SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'sqlite_stat1'`)[0].n > 0;
    if (!has) return out;
    for (const r of this.all<{ tbl: string; stat: string }>(`SELECT tbl, stat FROM sqlite_stat1`)) {
      const n = Number(String(r.stat).split(' ')[0]);
      if (Number.isFinite(n)) out.set(r.tbl, Math.max(out.get(r.tbl) ?? 0, n));
    }
    return out;
  }

  private primaryKeyOf(table: string): string[] {
    return this.all<XInfo>(`PRAGMA table_xinfo('${table.replace(/'/g, "''")}')`)
      .filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
  }

  /** Closes the database. */
  async close(): Promise<void> {
    this.db.close();
  }
}
