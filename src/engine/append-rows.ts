/**
 * JS rows into DuckDB: a temp table with the table schema's DuckDB types, filled through DuckDB's appender in
 * data chunks and flushed in batches, so rows stream from the iterable into DuckDB (which can spill) and never
 * accumulate in JS. The temp table is then the `source` of `writeDataFiles`.
 */
import { randomUUID } from 'node:crypto';
import {
  DuckDBDataChunkWriter,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTimeValue,
  DuckDBTypeId,
  JSToDuckDBValueConverter,
  mapValue,
  structValue,
  type DuckDBDecimalType,
  type DuckDBMapType,
  type DuckDBStructType,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { FloeError } from '../errors.js';
import { valueFromJson } from '../iceberg/spec/bounds.js';
import type { Schema } from '../iceberg/spec/schema.js';
import type { Engine } from './duckdb-engine.js';
import { duckdbType, quoteIdent } from './sql-literals.js';

/** Rows appended between two appender flushes. */
const FLUSH_EVERY_ROWS = 100_000;

type Converter = (value: unknown, type: DuckDBType, self: Converter) => DuckDBValue;

const T = DuckDBTypeId;

/** A string in the spec's JSON single-value form (Appendix D), parsed as the Iceberg type of a DuckDB column. */
function fromJsonString(kind: string, value: string): bigint | number {
  return valueFromJson(kind, value) as bigint | number;
}

/**
 * Converts one JS value for a DuckDB column. Beyond what `@duckdb/node-api` accepts (Date for dates and
 * timestamps, bigint µs for time, number or unscaled bigint for decimals...), floe's in-memory convention
 * (`PrimitiveValue`: days for dates, bigint µs/ns for timestamps) and Appendix D JSON strings (`"2024-05-01"`,
 * `"12.30"`, `"2024-05-01T10:00:00+00:00"`) are accepted; struct fields left out and `undefined` are null; maps may
 * be `Map`s or plain objects.
 */
const convertValue: Converter = (value, type, self) => {
  if (value === null || value === undefined) return null;
  switch (type.typeId) {
    case T.DATE:
      if (typeof value === 'number') return new DuckDBDateValue(value);
      if (typeof value === 'string') return new DuckDBDateValue(fromJsonString('date', value) as number);
      break;
    case T.TIME:
      if (typeof value === 'number') return new DuckDBTimeValue(BigInt(value));
      if (typeof value === 'string') return new DuckDBTimeValue(fromJsonString('time', value) as bigint);
      break;
    case T.TIMESTAMP:
      if (typeof value === 'bigint') return new DuckDBTimestampValue(value);
      if (typeof value === 'string') return new DuckDBTimestampValue(fromJsonString('timestamp', value) as bigint);
      break;
    case T.TIMESTAMP_TZ:
      if (typeof value === 'bigint') return new DuckDBTimestampTZValue(value);
      if (typeof value === 'string') return new DuckDBTimestampTZValue(fromJsonString('timestamptz', value) as bigint);
      break;
    case T.TIMESTAMP_NS:
      if (typeof value === 'bigint') return new DuckDBTimestampNanosecondsValue(value);
      if (typeof value === 'string') return new DuckDBTimestampNanosecondsValue(fromJsonString('timestamp_ns', value) as bigint);
      break;
    case T.DECIMAL:
      if (typeof value === 'string') {
        const d = type as DuckDBDecimalType;
        const unscaled = fromJsonString(`decimal(${d.width},${d.scale})`, value) as bigint;
        return new DuckDBDecimalValue(unscaled, d.width, d.scale);
      }
      break;
    case T.STRUCT: {
      const s = type as DuckDBStructType;
      const obj = value as Record<string, unknown>;
      const entries: Record<string, DuckDBValue> = {};
      s.entryNames.forEach((name, i) => {
        entries[name] = self(obj[name], s.entryTypes[i], self);
      });
      return structValue(entries);
    }
    case T.MAP: {
      const m = type as DuckDBMapType;
      const pairs: Array<[unknown, unknown]> =
        value instanceof Map
          ? [...value.entries()]
          : Array.isArray(value)
            ? value.map((e: { key: unknown; value: unknown }) => [e.key, e.value])
            : Object.entries(value as Record<string, unknown>);
      return mapValue(pairs.map(([k, v]) => ({ key: self(k, m.keyType, self), value: self(v, m.valueType, self) })));
    }
  }
  return (JSToDuckDBValueConverter as unknown as Converter)(value, type, self);
};

/**
 * Appends `rows` (objects keyed by column name; sync or async iterable) to a new temp table shaped like `schema`
 * and returns its name, to pass as `source` to `writeDataFiles` (drop it afterwards with `DROP TABLE`). A key that
 * names no column is `SCHEMA_MISMATCH`; a value that does not fit its column is `INVALID_ARGUMENT` with the row
 * index. On failure the temp table is dropped.
 */
export async function appendRowsToTemp(
  engine: Engine,
  schema: Schema,
  rows: Iterable<object> | AsyncIterable<object>,
): Promise<string> {
  const name = `__floe_rows_${randomUUID().replace(/-/g, '')}`;
  const columns = schema.fields.map((f) => `${quoteIdent(f.name)} ${duckdbType(f.type)}`);
  await engine.run(`CREATE TEMP TABLE ${quoteIdent(name)} (${columns.join(', ')})`);
  let appender;
  try {
    appender = await engine.connection.createAppender(name, null, 'temp');
    const types = schema.fields.map((f, i) => ({ name: f.name, type: appender!.columnType(i) }));
    const known = new Set(schema.fields.map((f) => f.name));
    const writer = DuckDBDataChunkWriter.forAppender(appender);
    let index = 0;
    const append = (row: object): void => {
      const obj = row as Record<string, unknown>;
      for (const key of Object.keys(obj)) {
        if (!known.has(key)) {
          throw new FloeError('SCHEMA_MISMATCH', `row ${index} has a column the table does not have: ${key}`, {
            context: { differences: [{ column: key, expected: 'absent', actual: typeof obj[key] }], row: index },
          });
        }
      }
      const values = types.map(({ name: col, type }) => {
        try {
          return convertValue(obj[col], type, convertValue);
        } catch (cause) {
          throw new FloeError('INVALID_ARGUMENT', `row ${index}, column ${col}: ${(cause as Error).message}`, {
            cause,
            context: { row: index, column: col },
          });
        }
      });
      writer.appendRow(values);
      index++;
      if (index % FLUSH_EVERY_ROWS === 0) {
        writer.flush();
        appender!.flushSync();
      }
    };
    // A sync iterable is not driven through `for await`, which would cost a microtask per row.
    if (Symbol.asyncIterator in rows) {
      for await (const row of rows) append(row);
    } else {
      for (const row of rows) append(row);
    }
    writer.flush();
    appender.closeSync();
    return name;
  } catch (err) {
    try {
      appender?.closeSync();
    } catch {
      // The appender may refuse to close after a failed append; the table is dropped anyway.
    }
    await engine.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(name)}`);
    throw err;
  }
}
