/**
 * Manifest metrics of written Parquet files from the rows DuckDB's `COPY ... (RETURN_STATS)` returns (DuckDB 1.5:
 * `filename`, `count`, `file_size_bytes`, `footer_size_bytes`, `column_statistics` MAP(column path → MAP(stat →
 * text)) with `column_size_bytes`, `num_values`, `null_count`, `min`, `max`, `has_nan`, and `partition_keys`).
 *
 * Metrics follow Iceberg's metrics modes (`write.metadata.metrics.default`, `write.metadata.metrics.column.<name>`;
 * default `truncate(16)`): `none` records nothing for a column, `counts` sizes and counts, `truncate(N)` also
 * bounds with strings and binary truncated to N (the upper bound incremented, dropped when it cannot be), `full`
 * untruncated bounds. Bounds are serialized by field id as Appendix D says; they are kept for primitives reached
 * through structs only, as Java does (not for list elements or map entries). NaN counts: DuckDB reports only
 * whether a column has NaNs, so a column without NaNs counts 0 and a column with some gets no count (unknown).
 */
import type { DataFile } from '../iceberg/avro/manifest.js';
import { serializeValue, truncateLowerBound, truncateUpperBound } from '../iceberg/spec/bounds.js';
import type { Schema } from '../iceberg/spec/schema.js';
import type { IcebergType, Primitive, PrimitiveValue } from '../iceberg/spec/types.js';
import { parsePrimitive } from '../iceberg/spec/types.js';
import type { Engine } from './duckdb-engine.js';
import { parseFloatText } from './duckdb-text.js';
import { emptyColumnMetrics, parquetDataFile } from './parquet-data-file.js';
import { quoteIdent, stringList } from './sql-literals.js';

/** One row of `COPY ... RETURN_STATS`, with its maps as JS Maps. */
export interface CopyStats {
  filename: string;
  count: bigint;
  fileSizeBytes: bigint;
  columns: Map<string, Map<string, string>>;
  partitionKeys: Map<string, string | null>;
}

/** Converts the result rows of a `COPY ... RETURN_STATS` (from `getRowObjectsJS`). */
export function parseCopyStats(rows: Array<Record<string, unknown>>): CopyStats[] {
  type Entries = Array<{ key: string; value: unknown }> | null;
  return rows.map((r) => {
    const columns = new Map<string, Map<string, string>>();
    for (const { key, value } of (r.column_statistics as Entries) ?? []) {
      columns.set(key, new Map(((value as Entries) ?? []).map((e) => [e.key, String(e.value)])));
    }
    const partitionKeys = new Map<string, string | null>();
    for (const { key, value } of (r.partition_keys as Entries) ?? []) partitionKeys.set(key, value as string | null);
    return {
      filename: String(r.filename),
      count: BigInt(r.count as bigint),
      fileSizeBytes: BigInt(r.file_size_bytes as bigint),
      columns,
      partitionKeys,
    };
  });
}

/** A metrics mode (Java `MetricsModes`). */
export type MetricsMode = { kind: 'none' } | { kind: 'counts' } | { kind: 'truncate'; length: number } | { kind: 'full' };

const DEFAULT_MODE: MetricsMode = { kind: 'truncate', length: 16 };

/** Parses a metrics mode string; `undefined` for an invalid one (Java then falls back to the default). */
export function parseMetricsMode(text: string): MetricsMode | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'none' || t === 'counts' || t === 'full') return { kind: t };
  const m = /^truncate\((\d+)\)$/.exec(t);
  if (m && Number(m[1]) > 0) return { kind: 'truncate', length: Number(m[1]) };
  return undefined;
}

/** A leaf column of the written files. */
interface Leaf {
  id: number;
  /** The column path as RETURN_STATS names it: quoted names joined by dots. */
  statsKey: string;
  /** Dotted full name, as metrics-mode properties name columns. */
  name: string;
  type: Primitive;
  topLevel: boolean;
  /** Outside lists and maps: bounds are kept. */
  boundable: boolean;
}

function leaves(schema: Schema): Leaf[] {
  const out: Leaf[] = [];
  const visit = (id: number, type: IcebergType, path: string[], inRepeated: boolean): void => {
    if (typeof type === 'string') {
      out.push({
        id,
        statsKey: path.map(quoteIdent).join('.'),
        name: path.join('.'),
        type: parsePrimitive(type),
        topLevel: path.length === 1,
        boundable: !inRepeated,
      });
    } else if (type.type === 'struct') {
      for (const f of type.fields) visit(f.id, f.type, [...path, f.name], inRepeated);
    } else if (type.type === 'list') {
      visit(type['element-id'], type.element, [...path, 'element'], true);
    } else {
      visit(type['key-id'], type.key, [...path, 'key'], true);
      visit(type['value-id'], type.value, [...path, 'value'], true);
    }
  };
  for (const f of schema.fields) visit(f.id, f.type, [f.name], false);
  return out;
}

/** Kinds whose min/max text DuckDB parses back (its own formatting, time zones and BC dates included). */
const TEMPORAL_SQL: Partial<Record<Primitive['kind'], (x: string) => string>> = {
  date: (x) => `CAST(CAST(${x} AS DATE) - DATE '1970-01-01' AS INTEGER)`,
  time: (x) => `epoch_us(CAST(${x} AS TIME))`,
  timestamp: (x) => `epoch_us(CAST(${x} AS TIMESTAMP))`,
  timestamptz: (x) => `epoch_us(CAST(${x} AS TIMESTAMPTZ))`,
  timestamp_ns: (x) => `epoch_ns(CAST(${x} AS TIMESTAMP_NS))`,
};

/** A min/max text as an in-memory value, for the kinds parsed in JS; `undefined` when it gets no bound. */
function parseBoundText(p: Primitive, text: string): PrimitiveValue | undefined {
  switch (p.kind) {
    case 'boolean':
      return text === '1' || text === 'true';
    case 'int':
      return Number(text);
    case 'long':
      return BigInt(text);
    case 'float':
    case 'double': {
      const x = parseFloatText(text);
      return Number.isNaN(x) ? undefined : x;
    }
    case 'decimal':
      return BigInt(text.replace('.', ''));
    case 'string':
      return text;
    case 'uuid':
      return text.toLowerCase();
    case 'binary':
    case 'fixed':
      return /^(?:[0-9a-f]{2})*$/i.test(text) ? new Uint8Array(Buffer.from(text, 'hex')) : undefined;
    default:
      return undefined;
  }
}

/** Converts temporal min/max texts in one query per kind; failures (e.g. `infinity`) give no bound. */
async function convertTemporal(engine: Engine, wanted: Map<Primitive['kind'], Set<string>>): Promise<Map<string, PrimitiveValue>> {
  const out = new Map<string, PrimitiveValue>();
  for (const [kind, texts] of wanted) {
    const expr = TEMPORAL_SQL[kind];
    if (!expr || texts.size === 0) continue;
    const list = [...texts];
    const res = await engine.run(`SELECT list_transform(${stringList(list)}, x -> TRY(${expr('x')}))`);
    const values = (await res.getRowsJS())[0][0] as Array<number | bigint | null>;
    values.forEach((v, i) => {
      if (v !== null) out.set(`${kind}|${list[i]}`, kind === 'date' ? Number(v) : BigInt(v));
    });
  }
  return out;
}

/** Options of {@link dataFilesFromStats}. */
export interface StatsToDataFilesOptions {
  schema: Schema;
  properties: Record<string, string>;
  sortOrderId: number;
  /** Path readers will use for each stats row, and its partition tuple. */
  placement: (row: CopyStats) => { path: string; partition: Map<number, PrimitiveValue | null> };
}

/** Builds the manifest `data_file` of each file from its RETURN_STATS row. */
export async function dataFilesFromStats(engine: Engine, rows: CopyStats[], opts: StatsToDataFilesOptions): Promise<DataFile[]> {
  const cols = leaves(opts.schema);
  const defaultMode = parseMetricsMode(opts.properties['write.metadata.metrics.default'] ?? '') ?? DEFAULT_MODE;
  const modes = cols.map((c) => parseMetricsMode(opts.properties[`write.metadata.metrics.column.${c.name}`] ?? '') ?? defaultMode);

  // First pass: collect the temporal texts to convert in SQL.
  const temporal = new Map<Primitive['kind'], Set<string>>();
  for (const row of rows) {
    cols.forEach((c, i) => {
      const st = row.columns.get(c.statsKey);
      if (!st || !c.boundable || !TEMPORAL_SQL[c.type.kind] || modes[i].kind === 'none' || modes[i].kind === 'counts') return;
      const set = temporal.get(c.type.kind) ?? new Set<string>();
      for (const k of ['min', 'max']) if (st.has(k)) set.add(st.get(k) as string);
      temporal.set(c.type.kind, set);
    });
  }
  const converted = await convertTemporal(engine, temporal);
  const boundValue = (c: Leaf, text: string | undefined): PrimitiveValue | undefined => {
    if (text === undefined) return undefined;
    return TEMPORAL_SQL[c.type.kind] ? converted.get(`${c.type.kind}|${text}`) : parseBoundText(c.type, text);
  };

  return rows.map((row): DataFile => {
    const m = emptyColumnMetrics();
    cols.forEach((c, i) => {
      const mode = modes[i];
      const st = row.columns.get(c.statsKey);
      if (!st || mode.kind === 'none') return;
      if (st.has('column_size_bytes')) m.column_sizes.set(c.id, BigInt(st.get('column_size_bytes') as string));
      // A top-level column has one value per row, nulls included (spec "Manifests": value_counts).
      if (c.topLevel) m.value_counts.set(c.id, row.count);
      else if (st.has('num_values')) m.value_counts.set(c.id, BigInt(st.get('num_values') as string));
      if (st.has('null_count')) m.null_value_counts.set(c.id, BigInt(st.get('null_count') as string));
      if ((c.type.kind === 'float' || c.type.kind === 'double') && st.get('has_nan') === 'false') m.nan_value_counts.set(c.id, 0n);
      if (mode.kind === 'counts' || !c.boundable) return;
      let lo = boundValue(c, st.get('min'));
      let hi = boundValue(c, st.get('max'));
      if (lo === undefined || hi === undefined) return;
      if (typeof lo === 'number' && typeof hi === 'number' && (c.type.kind === 'float' || c.type.kind === 'double')) {
        // -0.0 and 0.0 are equal to readers' predicates: widen so that both sides are covered.
        if (lo === 0) lo = -0;
        if (hi === 0) hi = 0;
      }
      let hiBound: PrimitiveValue | null = hi;
      // Java truncates string and binary bounds only; a fixed[L] bound must keep its L bytes (Appendix D).
      const truncatable = c.type.kind === 'string' || c.type.kind === 'binary';
      if (mode.kind === 'truncate' && truncatable) {
        lo = truncateLowerBound(lo as string | Uint8Array, mode.length);
        hiBound = truncateUpperBound(hi as string | Uint8Array, mode.length);
      }
      try {
        const loBytes = serializeValue(c.type, lo);
        const hiBytes = hiBound === null ? undefined : serializeValue(c.type, hiBound);
        m.lower_bounds.set(c.id, loBytes);
        if (hiBytes) m.upper_bounds.set(c.id, hiBytes);
      } catch {
        // A value Appendix D cannot hold (e.g. a DuckDB date beyond int range): no bound, which is never wrong.
      }
    });
    const { path, partition } = opts.placement(row);
    const facts = { path, partition, recordCount: row.count, fileSizeBytes: row.fileSizeBytes, sortOrderId: opts.sortOrderId };
    return { ...parquetDataFile(facts, m), key_metadata: null };
  });
}

/**
 * Null counts DuckDB reports for each required top-level primitive column, by field name: the check that no null
 * reached a required field (nested required columns are checked while writing, see `write-projection.ts`).
 */
export function requiredNullCounts(schema: Schema, rows: CopyStats[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const f of schema.fields) {
    if (!f.required || typeof f.type !== 'string') continue;
    const key = quoteIdent(f.name);
    let nulls = 0n;
    for (const row of rows) nulls += BigInt(row.columns.get(key)?.get('null_count') ?? '0');
    if (nulls > 0n) out.set(f.name, nulls);
  }
  return out;
}
