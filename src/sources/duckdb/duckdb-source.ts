/**
 * DuckDB source (`duckdb:path`), introspected from duckdb_tables() / duckdb_views() / duckdb_columns() /
 * duckdb_constraints() / duckdb_indexes() / duckdb_types() of the file's `main` schema.
 */
import { existsSync } from 'node:fs';
import { Engine } from '../../engine/duckdb-engine.js';
import { FloeError } from '../../errors.js';
import { normalizeDuckdbType, typeParameters } from '../normalize-type.js';
import { indexParts, splitTopLevel, unquoteIdent } from '../ddl-text.js';
import { finishSchema, quoteIdent, selectTables, shouldCountExactly, type IntrospectOptions } from '../schema-builder.js';
import type { Source, SourceColumn, SourceEnum, SourceIndex, SourceSchema, SourceTable } from '../source-schema.js';

type Json = Record<string, unknown>;

const SCOPE = `database_name = current_database() AND schema_name = 'main'`;

/** A DuckDB database file. */
export class DuckdbSource implements Source {
  readonly dialect = 'duckdb';

  private constructor(
    private readonly engine: Engine,
    private readonly path: string,
  ) {}

  /** Opens `duckdb:path` (or a bare path); a missing file is NOT_FOUND rather than a new empty database. */
  static async open(url: string): Promise<DuckdbSource> {
    const path = url.replace(/^duckdb:(\/\/)?/i, '');
    if (path === '' || !existsSync(path)) throw new FloeError('NOT_FOUND', `DuckDB database file not found: ${path}`, { context: { path } });
    return new DuckdbSource(await Engine.create(path), path);
  }

  private async rows(sql: string): Promise<Json[]> {
    return (await (await this.engine.run(sql)).getRowObjectsJson()) as Json[];
  }

  /** Reads the schema. */
  async introspect(options: IntrospectOptions = {}): Promise<SourceSchema> {
    const rels = [
      ...(await this.rows(`SELECT table_name AS name, 'table' AS kind, comment, estimated_size FROM duckdb_tables() WHERE ${SCOPE} AND NOT internal AND NOT temporary`)),
      ...(await this.rows(`SELECT view_name AS name, 'view' AS kind, comment, NULL AS estimated_size FROM duckdb_views() WHERE ${SCOPE} AND NOT internal AND NOT temporary`)),
    ];
    const wanted = selectTables(rels.map((r) => String(r.name)), options.tables);
    const cols = await this.rows(`SELECT * FROM duckdb_columns() WHERE ${SCOPE} ORDER BY table_name, column_index`);
    const cons = await this.rows(`SELECT * FROM duckdb_constraints() WHERE ${SCOPE} ORDER BY table_name, constraint_index`);
    const idx = await this.rows(`SELECT * FROM duckdb_indexes() WHERE ${SCOPE} ORDER BY table_name, index_name`);
    const types = await this.rows(`SELECT type_name, labels FROM duckdb_types() WHERE ${SCOPE} AND logical_type = 'ENUM' AND NOT internal`);
    const namedEnums = new Map(types.map((t) => [String(t.type_name), (t.labels as string[] | null) ?? []]));
    const enums: SourceEnum[] = [...namedEnums].map(([name, values]) => ({ name, values, origin: 'enum-type' as const }));

    const tables: SourceTable[] = [];
    for (const rel of rels.filter((r) => wanted.has(String(r.name)))) {
      const name = String(rel.name);
      const columns: SourceColumn[] = cols.filter((c) => c.table_name === name).map((c, i) => {
        const type = String(c.data_type);
        const colName = String(c.column_name);
        let normalized = normalizeDuckdbType(type);
        let enumName: string | undefined;
        if (namedEnums.has(type)) {
          normalized = 'enum';
          enumName = type;
        } else if (normalized === 'enum') {
          const values = [...type.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1].replace(/''/g, "'"));
          // duckdb_columns() prints a named enum's column as ENUM('a', 'b'), not by name: match it by its labels.
          const named = [...namedEnums].find(([, labels]) => labels.length === values.length && labels.every((l, j) => l === values[j]));
          enumName = named?.[0] ?? `${name}_${colName}`;
          if (!named) enums.push({ name: enumName, values, origin: 'enum-column' });
        }
        const def = c.column_default === null ? undefined : String(c.column_default);
        return {
          name: colName,
          type,
          normalized,
          nullable: c.is_nullable === true,
          ...typeParameters(type, normalized),
          ...(def !== undefined ? { default: def } : {}),
          // DuckDB has no identity columns; a sequence default is how auto-numbering is written.
          ...(def !== undefined && /^nextval\(/i.test(def) ? { identity: true } : {}),
          ...(c.comment ? { comment: String(c.comment) } : {}),
          ...(enumName !== undefined ? { enum: enumName } : {}),
          ordinal: i + 1,
        };
      });
      const table: SourceTable = {
        name,
        kind: rel.kind === 'view' ? 'view' : 'table',
        ...(rel.comment ? { comment: String(rel.comment) } : {}),
        columns,
        primary_keys: [],
        unique_constraints: [],
        foreign_keys: [],
        checks: [],
        indexes: [],
        row_count: null,
        row_count_exact: false,
        // DuckDB does not report bytes per table.
        size_bytes: null,
      };
      for (const k of cons.filter((k) => k.table_name === name)) {
        const kcols = (k.constraint_column_names as string[] | null) ?? [];
        const kname = String(k.constraint_name ?? '');
        switch (k.constraint_type) {
          case 'PRIMARY KEY': table.primary_keys = kcols; break;
          case 'UNIQUE': table.unique_constraints.push({ name: kname, columns: kcols }); break;
          case 'CHECK': table.checks.push({ name: kname, sql: String(k.expression), columns: kcols }); break;
          case 'FOREIGN KEY':
            table.foreign_keys.push({
              name: kname,
              columns: kcols,
              referencedTable: String(k.referenced_table),
              referencedColumns: (k.referenced_column_names as string[] | null) ?? [],
              // DuckDB rejects CASCADE / SET NULL / SET DEFAULT: its only behaviour is NO ACTION.
              onDelete: 'NO ACTION',
              onUpdate: 'NO ACTION',
            });
            break;
          default: break;
        }
      }
      for (const ix of idx.filter((x) => x.table_name === name)) table.indexes.push(indexFrom(ix));
      const estimate = rel.estimated_size === null ? null : Number(rel.estimated_size);
      if (table.kind === 'view' ? options.exactCounts === true : shouldCountExactly(estimate, options.exactCounts)) {
        table.row_count = Number((await this.rows(`SELECT COUNT(*) AS n FROM ${quoteIdent(name)}`))[0].n);
        table.row_count_exact = true;
      } else if (table.kind === 'table') {
        table.row_count = estimate;
      }
      tables.push(table);
    }
    return finishSchema({ dialect: this.dialect, database: this.path, tables, enums, warnings: [] });
  }

  /** Closes the database. */
  async close(): Promise<void> {
    this.engine.close();
  }
}

/** An index from duckdb_indexes(): plain identifiers in the key list are columns, anything else an expression. */
function indexFrom(ix: Json): SourceIndex {
  const sql = ix.sql === null ? '' : String(ix.sql);
  const keys = sql === '' ? [] : splitTopLevel(sql, sql.indexOf('(', sql.search(/\bON\b/i)));
  const isColumn = (k: string): boolean => /^("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)$/.test(k);
  const where = sql === '' ? undefined : indexParts(sql).where;
  const exprs = keys.filter((k) => !isColumn(k));
  return {
    name: String(ix.index_name),
    columns: keys.filter(isColumn).map(unquoteIdent),
    unique: ix.is_unique === true,
    ...(ix.is_primary === true ? { primary: true } : {}),
    ...(exprs.length > 0 ? { expression: exprs.join(', ') } : {}),
    ...(where !== undefined ? { where } : {}),
    method: 'art',
  };
}
