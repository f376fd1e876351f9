/**
 * The intermediate form of a database's schema (`SourceSchema`), produced by every source adapter's
 * `introspect()` from the database's own catalog, and consumed by the pure generators in `src/models/`.
 */

/** A column. `type` is the database's own type name; `normalized` maps it to floe's portable kinds. */
export interface SourceColumn {
  name: string;
  /** The type as the database reports it, e.g. `numeric(10,2)`, `character varying(20)`, `INTEGER`. */
  type: string;
  /** Portable kind used by the generators. `unknown` types are kept as strings with a warning. */
  normalized:
    | 'boolean' | 'smallint' | 'integer' | 'bigint' | 'decimal' | 'float' | 'double'
    | 'string' | 'text' | 'date' | 'time' | 'timestamp' | 'timestamptz' | 'uuid' | 'binary' | 'json' | 'enum' | 'unknown';
  nullable: boolean;
  /** Character length limit (varchar(n), char(n)). */
  length?: number;
  precision?: number;
  scale?: number;
  /** Default expression as SQL text. */
  default?: string;
  identity?: boolean;
  generated?: string;
  comment?: string;
  /** Name of the enum (an entry of `SourceSchema.enums`) when the column's values are restricted to one. */
  enum?: string;
  /** Position, 1-based. */
  ordinal: number;
}

/** A foreign key. */
export interface SourceForeignKey {
  name: string;
  columns: string[];
  referencedSchema?: string;
  referencedTable: string;
  referencedColumns: string[];
  onDelete?: string;
  onUpdate?: string;
}

/** An index. `expression` for expression indexes; `where` for partial indexes. */
export interface SourceIndex {
  name: string;
  columns: string[];
  unique: boolean;
  primary?: boolean;
  expression?: string;
  where?: string;
  method?: string;
}

/** A CHECK constraint, kept as the database prints it. */
export interface SourceCheck {
  name: string;
  sql: string;
  /** Columns it mentions, when the database says. */
  columns?: string[];
}

/** A table or view. */
export interface SourceTable {
  schema?: string;
  name: string;
  kind: 'table' | 'view';
  comment?: string;
  columns: SourceColumn[];
  primary_keys: string[];
  unique_constraints: Array<{ name: string; columns: string[] }>;
  foreign_keys: SourceForeignKey[];
  checks: SourceCheck[];
  indexes: SourceIndex[];
  row_count: number | null;
  /** Whether `row_count` is exact (counted) or the database's estimate. */
  row_count_exact: boolean;
  size_bytes?: number | null;
}

/** An enumerated type (PostgreSQL enum, MySQL ENUM column, or `CHECK (x IN (...))`). */
export interface SourceEnum {
  name: string;
  values: string[];
  /** Where it came from. */
  origin: 'enum-type' | 'enum-column' | 'check-in';
}

/** Something the schema has that the intermediate form cannot represent. */
export interface SourceWarning {
  code: 'UNKNOWN_TYPE' | 'UNSUPPORTED_CONSTRAINT' | 'UNSUPPORTED_FEATURE';
  message: string;
  table?: string;
  column?: string;
}

/** A database's schema. */
export interface SourceSchema {
  /** `postgresql`, `mysql`, `sqlite`, `duckdb`. */
  dialect: string;
  /** The database (or file) name; never credentials. */
  database: string;
  tables: SourceTable[];
  enums: SourceEnum[];
  warnings: SourceWarning[];
  /** sha256 of the normalized form (tables, columns, keys, constraints, indexes, enums; no counts or sizes). */
  fingerprint: string;
}

/** What every source adapter implements (ARCHITECTURE.md: one folder per database, the same shape). */
export interface Source {
  readonly dialect: string;
  /** Reads the schema; `tables` limits it to those names. */
  introspect(options?: { tables?: string[]; exactCounts?: boolean }): Promise<SourceSchema>;
  close(): Promise<void>;
}
