/**
 * Building partition specs from what users write: the `partition_spec` list of the iceberg.writer contract
 * (`[{field, transform}]`) or the CLI's `--partition 'day(ts),bucket(16,id)'`. Field names follow Iceberg's
 * conventions (`ts_day`, `id_bucket`, ...) and field ids start at 1000 (spec: "Partitioning").
 */
import { FloeError, isFloeError } from '../../errors.js';
import type { PartitionField, PartitionSpec } from './partition-spec.js';
import type { Schema } from './schema.js';
import { findFieldByName } from './schema.js';
import { canTransform, parseTransform, type Transform } from './transforms.js';

/** One partition field as users write it: a source column and a transform (`identity`, `bucket[16]`, `day`...). */
export interface PartitionFieldInput {
  field: string;
  transform: string;
}

/** Splits `a, f(b, c), d` at commas outside parentheses; parts are trimmed, empty ones kept for the caller. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

/**
 * Parses `day(ts), bucket(16, id), truncate(4, name), id` (Spark SQL style; also `bucket[16](id)`) into
 * partition field inputs. Throws `INVALID_ARGUMENT` with the offending part.
 */
export function parsePartitionExpression(text: string): PartitionFieldInput[] {
  return splitTopLevel(text)
    .filter((p) => p.length > 0)
    .map((p) => {
      let m = /^(identity|year|years|month|months|day|days|hour|hours|void)\s*\(\s*([^(),\s]+)\s*\)$/i.exec(p);
      if (m) return { field: m[2], transform: m[1].toLowerCase().replace(/s$/, '') };
      m = /^(bucket|truncate)\s*\(\s*(\d+)\s*,\s*([^(),\s]+)\s*\)$/i.exec(p);
      if (m) return { field: m[3], transform: `${m[1].toLowerCase()}[${m[2]}]` };
      m = /^(bucket|truncate)\s*\[\s*(\d+)\s*\]\s*\(\s*([^(),\s]+)\s*\)$/i.exec(p);
      if (m) return { field: m[3], transform: `${m[1].toLowerCase()}[${m[2]}]` };
      m = /^([A-Za-z_][\w.]*)$/.exec(p);
      if (m) return { field: m[1], transform: 'identity' };
      throw new FloeError('INVALID_ARGUMENT', `bad partition expression '${p}' (examples: day(ts), bucket(16, id), truncate(4, name), region)`, {
        context: { expression: p },
      });
    });
}

function fieldName(source: string, t: Transform): string {
  switch (t.kind) {
    case 'identity':
      return source;
    case 'bucket':
      return `${source}_bucket`;
    case 'truncate':
      return `${source}_trunc`;
    case 'void':
      return `${source}_null`;
    default:
      return `${source}_${t.kind}`;
  }
}

/** Builds a partition spec (id `specId`) on `schema`. Unknown columns and impossible transforms: INVALID_ARGUMENT. */
export function buildPartitionSpec(schema: Schema, inputs: PartitionFieldInput[], specId = 0): PartitionSpec {
  const fields: PartitionField[] = [];
  const names = new Set<string>();
  inputs.forEach((input, i) => {
    let transform: Transform;
    try {
      transform = parseTransform(input.transform);
    } catch (err) {
      throw new FloeError('INVALID_ARGUMENT', `bad partition transform '${input.transform}' for ${input.field}`, {
        cause: err,
        context: { field: input.field, transform: input.transform },
      });
    }
    if (transform.kind === 'unknown') {
      throw new FloeError('INVALID_ARGUMENT', `unknown partition transform '${input.transform}'`, { context: { transform: input.transform } });
    }
    const source = findFieldByName(schema, input.field);
    if (!source) {
      throw new FloeError('INVALID_ARGUMENT', `partition source column '${input.field}' is not in the table`, {
        context: { field: input.field },
      });
    }
    const type = source.field.type;
    let ok = false;
    try {
      ok = typeof type === 'string' && canTransform(transform, type);
    } catch (err) {
      if (!isFloeError(err)) throw err;
    }
    if (!ok) {
      throw new FloeError('INVALID_ARGUMENT', `transform ${input.transform} cannot apply to column '${input.field}' of type ${JSON.stringify(type)}`, {
        context: { field: input.field, transform: input.transform },
      });
    }
    const name = fieldName(source.path.join('.'), transform);
    if (names.has(name)) throw new FloeError('INVALID_ARGUMENT', `partition field '${name}' is given twice`, { context: { field: name } });
    names.add(name);
    fields.push({ 'source-id': source.field.id, 'field-id': 1000 + i, name, transform: input.transform.toLowerCase() });
  });
  return { 'spec-id': specId, fields };
}
