/**
 * FINOS Legend PURE grammar text for a {@link FloeModel}: a Profile for SQL type facts, Enums, Classes with
 * constraints, Associations, a `###Relational` Database store and a `###Mapping`. Output depends only on the
 * model (no dates, no environment), so regenerating an unchanged schema gives byte-identical text.
 */
import type { SourceColumn, SourceSchema } from '../sources/source-schema.js';
import { buildModel } from './model.js';
import type { FloeModel, ModelClass, ModelOptions, Multiplicity } from './model.js';
import { PURE_IDENTIFIER } from './naming.js';
import { classConstraintSpecs, valueSpecToPure } from './value-spec.js';

/** A relational column type in Legend's protocol shape (`{_type: 'Varchar', size: 10}`). */
export type RelationalType =
  | { _type: 'Bit' | 'SmallInt' | 'Integer' | 'BigInt' | 'Real' | 'Double' | 'Date' | 'Timestamp' | 'Other' }
  | { _type: 'Decimal'; precision: number; scale: number }
  | { _type: 'Varchar' | 'Varbinary'; size: number };

// Unbounded text and numerics have no size in the database; Legend's VARCHAR and DECIMAL need one.
const UNBOUNDED_SIZE = 65535;
/** Precision and scale used for a DECIMAL without them (PostgreSQL's bare `numeric`), as Spark does. */
export const DEFAULT_DECIMAL = { precision: 38, scale: 18 } as const;

/** The Legend relational type of a column. */
export function relationalType(column: SourceColumn): RelationalType {
  switch (column.normalized) {
    case 'boolean': return { _type: 'Bit' };
    case 'smallint': return { _type: 'SmallInt' };
    case 'integer': return { _type: 'Integer' };
    case 'bigint': return { _type: 'BigInt' };
    case 'decimal': return { _type: 'Decimal', precision: column.precision ?? DEFAULT_DECIMAL.precision, scale: column.scale ?? (column.precision === undefined ? DEFAULT_DECIMAL.scale : 0) };
    case 'float': return { _type: 'Real' };
    case 'double': return { _type: 'Double' };
    case 'string': case 'text': case 'enum': return { _type: 'Varchar', size: column.length ?? UNBOUNDED_SIZE };
    case 'date': return { _type: 'Date' };
    case 'timestamp': case 'timestamptz': return { _type: 'Timestamp' };
    case 'binary': return { _type: 'Varbinary', size: column.length ?? UNBOUNDED_SIZE };
    default: return { _type: 'Other' };
  }
}

/** A relational type as grammar text: `VARCHAR(10)`, `DECIMAL(10, 2)`. */
export function relationalTypeText(t: RelationalType): string {
  const name = t._type.toUpperCase();
  if ('size' in t) return `${name}(${t.size})`;
  if ('precision' in t) return `${name}(${t.precision}, ${t.scale})`;
  return name;
}

/** A database identifier for the Relational grammar, double-quoted when it is not a plain identifier. */
export function relationalName(name: string): string {
  return PURE_IDENTIFIER.test(name) ? name : `"${name}"`;
}

/** `[1]`, `[0..1]`, `[*]`. */
export function multiplicityText(m: Multiplicity): string {
  if (m.upper === undefined) return m.lower === 0 ? '[*]' : `[${m.lower}..*]`;
  return m.lower === m.upper ? `[${m.lower}]` : `[${m.lower}..${m.upper}]`;
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function classText(model: FloeModel, cls: ModelClass): string {
  const lines: string[] = [];
  const doc = cls.table.comment ? `{meta::pure::profiles::doc.doc = ${quote(cls.table.comment)}} ` : '';
  lines.push(`Class ${doc}${cls.path}`);
  const constraints = classConstraintSpecs(model, cls);
  if (constraints.length > 0) {
    lines.push('[');
    lines.push(constraints.map((c) => `  ${c.name}: ${valueSpecToPure(c.spec)}`).join(',\n'));
    lines.push(']');
  }
  lines.push('{');
  for (const p of cls.properties) {
    const tags: string[] = [];
    if (p.precision !== undefined) tags.push(`${model.profilePath}.precision = '${p.precision}'`);
    if (p.scale !== undefined) tags.push(`${model.profilePath}.scale = '${p.scale}'`);
    const tagText = tags.length > 0 ? `{${tags.join(', ')}} ` : '';
    lines.push(`  ${tagText}${p.name}: ${p.type}${multiplicityText(p.multiplicity)};`);
  }
  lines.push('}');
  return lines.join('\n');
}

function databaseText(model: FloeModel): string {
  const lines = [`Database ${model.databasePath}`, '('];
  const blocks: string[] = [];
  for (const cls of model.classes) {
    const t = cls.table;
    const cols = cls.properties.map((p) => {
      const c = p.column;
      const pk = t.primary_keys.includes(c.name) ? ' PRIMARY KEY' : !c.nullable ? ' NOT NULL' : '';
      return `    ${relationalName(c.name)} ${relationalTypeText(relationalType(c))}${pk}`;
    });
    blocks.push(`  Table ${relationalName(t.name)}\n  (\n${cols.join(',\n')}\n  )`);
  }
  for (const a of model.associations) {
    const fk = a.foreignKey;
    const cond = fk.columns
      .map((col, i) => `${relationalName(a.child.table.name)}.${relationalName(col)} = ${relationalName(a.parent.table.name)}.${relationalName(fk.referencedColumns[i])}`)
      .join(' and ');
    blocks.push(`  Join ${a.name}(${cond})`);
  }
  lines.push(blocks.join('\n\n'), ')');
  return lines.join('\n');
}

/** The enumeration mapping id of an enum (`model_Side`). */
export function enumMappingId(path: string): string {
  return path.replace(/::/g, '_');
}

function mappingText(model: FloeModel): string {
  const db = `[${model.databasePath}]`;
  const blocks: string[] = [];
  for (const cls of model.classes) {
    const table = relationalName(cls.table.name);
    const props = cls.properties.map((p) => {
      const enumPart = p.enumPath ? `EnumerationMapping ${enumMappingId(p.enumPath)}: ` : '';
      return `    ${p.name}: ${enumPart}${db}${table}.${relationalName(p.column.name)}`;
    });
    for (const a of model.associations) {
      if (a.child === cls) props.push(`    ${a.ends[0].name}: ${db}@${a.name}`);
      if (a.parent === cls) props.push(`    ${a.ends[1].name}: ${db}@${a.name}`);
    }
    blocks.push(`  ${cls.path}: Relational\n  {\n    ~mainTable ${db}${table}\n${props.join(',\n')}\n  }`);
  }
  for (const e of model.enums) {
    const values = e.values.map((v) => `    ${v.name}: [${quote(v.label)}]`).join(',\n');
    blocks.push(`  ${e.path}: EnumerationMapping ${enumMappingId(e.path)}\n  {\n${values}\n  }`);
  }
  return [`Mapping ${model.mappingPath}`, '(', blocks.join('\n\n'), ')'].join('\n');
}

/** Renders a model as PURE grammar text (sections `###Pure`, `###Relational`, `###Mapping`). */
export function renderPure(model: FloeModel): string {
  const pure: string[] = [`Profile ${model.profilePath}\n{\n  tags: [precision, scale];\n}`];
  for (const e of model.enums) {
    pure.push(`Enum ${e.path}\n{\n${e.values.map((v) => `  ${v.name}`).join(',\n')}\n}`);
  }
  for (const cls of model.classes) pure.push(classText(model, cls));
  for (const a of model.associations) {
    const ends = a.ends.map((end) => `  ${end.name}: ${end.target}${multiplicityText(end.multiplicity)};`).join('\n');
    pure.push(`Association ${a.path}\n{\n${ends}\n}`);
  }
  return [
    '###Pure', pure.join('\n\n'), '', '###Relational', databaseText(model), '', '###Mapping', mappingText(model), '',
  ].join('\n');
}

/** Builds the model of a schema and renders it as PURE grammar text. */
export function generatePure(schema: SourceSchema, options: ModelOptions = {}): string {
  return renderPure(buildModel(schema, options));
}
