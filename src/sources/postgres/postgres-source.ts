/**
 * PostgreSQL source (`postgresql://user@host:port/db?schema=name`, default schema `public`), introspected from
 * pg_catalog: format_type() for types, pg_constraint for keys and checks, pg_index for partial/expression indexes.
 */
import pg from 'pg';
import { postgresSettings } from './postgres-url.js';
import { FloeError } from '../../errors.js';
import { normalizePostgresType, typeParameters } from '../normalize-type.js';
import {
  finishSchema, normalizeAction, quoteIdent, redactUrl, selectTables, shouldCountExactly, type IntrospectOptions,
} from '../schema-builder.js';
import type { Source, SourceColumn, SourceEnum, SourceSchema, SourceTable, SourceWarning } from '../source-schema.js';

/** A failed connection or query as a FloeError: unreachable → SOURCE_UNAVAILABLE (retryable), bad login → AUTH_FAILED. */
export function postgresError(cause: unknown, what: string): FloeError {
  const err = cause as { code?: string; message?: string };
  const message = `${what}: ${err.message ?? String(cause)}`;
  if (err.code === '28P01' || err.code === '28000') return new FloeError('AUTH_FAILED', message, { cause });
  if (err.code === '3D000') return new FloeError('NOT_FOUND', message, { cause });
  if (
    ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET', 'EAI_AGAIN', '57P03', '53300'].includes(err.code ?? '') ||
    /timeout|terminated unexpectedly|Connection terminated/i.test(err.message ?? '')
  ) {
    return new FloeError('SOURCE_UNAVAILABLE', message, { cause, retryable: true });
  }
  return new FloeError('SQL_ERROR', message, { cause });
}

/** A PostgreSQL database (one schema of it). */
export class PostgresSource implements Source {
  readonly dialect = 'postgresql';

  private constructor(
    private readonly client: pg.Client,
    private readonly database: string,
    private readonly schema: string,
  ) {}

  /** Connects to `url`; `?schema=` picks the schema (default `public`). The password never reaches a message. */
  static async open(url: string): Promise<PostgresSource> {
    const { connectionString, schema, database } = postgresSettings(url);
    const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5000 });
    // An error after connect (server restart) would otherwise be an unhandled 'error' event that kills the process.
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (cause) {
      await client.end().catch(() => {});
      throw postgresError(cause, `cannot connect to PostgreSQL at ${redactUrl(url)}`);
    }
    return new PostgresSource(client, database, schema);
  }

  private async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    try {
      return (await this.client.query(sql, params)).rows as T[];
    } catch (cause) {
      throw postgresError(cause, 'PostgreSQL introspection query failed');
    }
  }

  /** Reads the schema. */
  async introspect(options: IntrospectOptions = {}): Promise<SourceSchema> {
    const rels = await this.query<{ oid: number; relname: string; relkind: string; comment: string | null; reltuples: number; size: string | null }>(
      `SELECT c.oid::int8 AS oid, c.relname, c.relkind, obj_description(c.oid, 'pg_class') AS comment, c.reltuples::float8 AS reltuples,
              CASE WHEN c.relkind IN ('r','p','m') THEN pg_total_relation_size(c.oid) END AS size
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r','p','v','m','f') AND NOT c.relispartition`,
      [this.schema],
    );
    const wanted = selectTables(rels.map((r) => r.relname), options.tables);
    const selected = rels.filter((r) => wanted.has(r.relname));
    const oids = selected.map((r) => Number(r.oid));
    const warnings: SourceWarning[] = [];

    const enumRows = await this.query<{ nspname: string; typname: string; oid: number; labels: string[] }>(
      `SELECT n.nspname, t.typname, t.oid::int8 AS oid, array_agg(e.enumlabel::text ORDER BY e.enumsortorder)::text[] AS labels
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
        GROUP BY n.nspname, t.typname, t.oid`,
    );
    const enumName = (r: { nspname: string; typname: string }): string => (r.nspname === this.schema ? r.typname : `${r.nspname}.${r.typname}`);
    const enumByOid = new Map(enumRows.map((r) => [Number(r.oid), r]));
    const usedEnums = new Set<number>();

    const cols = await this.query<{
      relid: number; attname: string; type: string; base_type: string | null; attnotnull: boolean; def: string | null;
      attidentity: string; attgenerated: string; comment: string | null; typid: number;
    }>(
      `SELECT a.attrelid::int8 AS relid, a.attname, format_type(a.atttypid, a.atttypmod) AS type,
              CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base_type,
              a.attnotnull, pg_get_expr(d.adbin, d.adrelid) AS def, a.attidentity::text AS attidentity,
              a.attgenerated::text AS attgenerated, col_description(a.attrelid, a.attnum) AS comment, a.atttypid::int8 AS typid
         FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attrelid, a.attnum`,
      [oids],
    );
    const cons = await this.query<{
      relid: number; conname: string; contype: string; cols: string[]; fcols: string[]; ftable: string | null; fschema: string | null;
      del: string; upd: string; def: string;
    }>(
      `SELECT con.conrelid::int8 AS relid, con.conname, con.contype::text AS contype,
              ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, o)
                      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o)::text[] AS cols,
              ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, o)
                      JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o)::text[] AS fcols,
              fc.relname AS ftable, fn.nspname AS fschema, con.confdeltype::text AS del, con.confupdtype::text AS upd,
              pg_get_constraintdef(con.oid) AS def
         FROM pg_constraint con
         LEFT JOIN pg_class fc ON fc.oid = con.confrelid LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
        WHERE con.conrelid = ANY($1::oid[])
        ORDER BY con.conname`,
      [oids],
    );
    const idx = await this.query<{
      relid: number; name: string; indisunique: boolean; indisprimary: boolean; amname: string; pred: string | null; exprs: string | null; cols: string[];
    }>(
      `SELECT i.indrelid::int8 AS relid, ic.relname AS name, i.indisunique, i.indisprimary, am.amname,
              pg_get_expr(i.indpred, i.indrelid) AS pred, pg_get_expr(i.indexprs, i.indrelid) AS exprs,
              ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(n, o)
                      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o)::text[] AS cols
         FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
        WHERE i.indrelid = ANY($1::oid[])
        ORDER BY ic.relname`,
      [oids],
    );

    const tables: SourceTable[] = [];
    for (const rel of selected) {
      const relid = Number(rel.oid);
      const columns: SourceColumn[] = cols.filter((c) => Number(c.relid) === relid).map((c, i) => {
        const enumRow = enumByOid.get(Number(c.typid));
        if (enumRow) usedEnums.add(Number(c.typid));
        const normalized = enumRow ? 'enum' : normalizePostgresType(c.base_type ?? c.type);
        const generated = c.attgenerated === 's' ? (c.def ?? undefined) : undefined;
        const isSerial = c.def !== null && /^nextval\(/i.test(c.def);
        return {
          name: c.attname,
          type: c.type,
          normalized,
          nullable: !c.attnotnull,
          ...typeParameters(c.base_type ?? c.type, normalized),
          ...(c.def !== null && generated === undefined ? { default: c.def } : {}),
          ...(c.attidentity === 'a' || c.attidentity === 'd' || isSerial ? { identity: true } : {}),
          ...(generated !== undefined ? { generated } : {}),
          ...(c.comment !== null ? { comment: c.comment } : {}),
          ...(enumRow ? { enum: enumName(enumRow) } : {}),
          ordinal: i + 1,
        };
      });
      const table: SourceTable = {
        schema: this.schema,
        name: rel.relname,
        kind: rel.relkind === 'v' || rel.relkind === 'm' ? 'view' : 'table',
        ...(rel.comment !== null ? { comment: rel.comment } : {}),
        columns,
        primary_keys: [],
        unique_constraints: [],
        foreign_keys: [],
        checks: [],
        indexes: [],
        row_count: null,
        row_count_exact: false,
        size_bytes: rel.size === null ? null : Number(rel.size),
      };
      for (const con of cons.filter((c) => Number(c.relid) === relid)) {
        if (con.contype === 'p') table.primary_keys = con.cols;
        else if (con.contype === 'u') table.unique_constraints.push({ name: con.conname, columns: con.cols });
        else if (con.contype === 'f') {
          table.foreign_keys.push({
            name: con.conname,
            columns: con.cols,
            ...(con.fschema !== null ? { referencedSchema: con.fschema } : {}),
            referencedTable: con.ftable ?? '',
            referencedColumns: con.fcols,
            onDelete: normalizeAction(con.del),
            onUpdate: normalizeAction(con.upd),
          });
        } else if (con.contype === 'c') {
          table.checks.push({ name: con.conname, sql: con.def.replace(/^CHECK\s*/i, '').replace(/\s+NOT VALID$/i, ''), columns: con.cols });
        } else if (con.contype === 'x') {
          warnings.push({ code: 'UNSUPPORTED_CONSTRAINT', message: `exclusion constraint ${con.conname} on ${rel.relname} is not represented: ${con.def}`, table: rel.relname });
        }
      }
      for (const ix of idx.filter((i) => Number(i.relid) === relid)) {
        table.indexes.push({
          name: ix.name,
          columns: ix.cols,
          unique: ix.indisunique,
          ...(ix.indisprimary ? { primary: true } : {}),
          ...(ix.exprs !== null ? { expression: ix.exprs } : {}),
          ...(ix.pred !== null ? { where: ix.pred } : {}),
          method: ix.amname,
        });
      }
      await this.count(table, rel.reltuples, options.exactCounts);
      tables.push(table);
    }

    const enums: SourceEnum[] = enumRows
      .filter((r) => r.nspname === this.schema || usedEnums.has(Number(r.oid)))
      .map((r) => ({ name: enumName(r), values: r.labels, origin: 'enum-type' as const }));
    return finishSchema({ dialect: this.dialect, database: this.database, tables, enums, warnings });
  }

  /** Fills the row count: reltuples is -1 for a never-analyzed table, which counts as "no estimate". */
  private async count(table: SourceTable, reltuples: number, exactCounts: boolean | undefined): Promise<void> {
    const estimate = reltuples < 0 ? null : Math.round(reltuples);
    // Views have no estimate and may be expensive to evaluate: only counted when asked to.
    if (table.kind === 'view' ? exactCounts === true : shouldCountExactly(estimate, exactCounts)) {
      const rows = await this.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteIdent(this.schema)}.${quoteIdent(table.name)}`);
      table.row_count = Number(rows[0].n);
      table.row_count_exact = true;
    } else {
      table.row_count = estimate;
    }
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    await this.client.end().catch(() => {});
  }
}
