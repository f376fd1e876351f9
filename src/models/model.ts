/**
 * The logical model built once from a {@link SourceSchema}: classes, properties, enums, associations and
 * constraints with their final PURE names. Every renderer (PURE text, Legend JSON) reads this, so they cannot
 * disagree about names, types or constraints. Pure code: no I/O.
 */
import { FloeError } from '../errors.js';
import type {
  SourceColumn, SourceEnum, SourceForeignKey, SourceSchema, SourceTable, SourceWarning,
} from '../sources/source-schema.js';
import { resolveConstraints, translateChecks } from './constraints.js';
import type { ConstraintSpec, ModelConstraint } from './constraints.js';
import { pluralize, toClassName, toEnumValueName, toPropertyName, uniqueNames } from './naming.js';

/** A PURE multiplicity; `upper` undefined means `*`. */
export interface Multiplicity {
  lower: number;
  upper?: number;
}

/** A class property backed by a column. `type` is a PURE type path (`Integer`, `model::Side`). */
export interface ModelProperty {
  name: string;
  column: SourceColumn;
  type: string;
  multiplicity: Multiplicity;
  /** Kept as tagged values for `Decimal` properties. */
  precision?: number;
  scale?: number;
  /** Path of the enum when the column is enum-typed. */
  enumPath?: string;
}

/** A class generated from a table. */
export interface ModelClass {
  name: string;
  path: string;
  table: SourceTable;
  properties: ModelProperty[];
  constraints: ModelConstraint[];
}

/** An enumeration; `values` pairs the PURE value name with the database label. */
export interface ModelEnum {
  name: string;
  path: string;
  source: SourceEnum;
  values: Array<{ name: string; label: string }>;
}

/** One end of an association: a property of type `target` added to the class at the other end. */
export interface AssociationEnd {
  name: string;
  /** Path of the class this end points to. */
  target: string;
  multiplicity: Multiplicity;
}

/** An association from a foreign key: `[0]` is the referencing side's property, `[1]` the referenced side's. */
export interface ModelAssociation {
  name: string;
  path: string;
  foreignKey: SourceForeignKey;
  child: ModelClass;
  parent: ModelClass;
  ends: [AssociationEnd, AssociationEnd];
}

/** The whole model. */
export interface FloeModel {
  package: string;
  profilePath: string;
  databasePath: string;
  mappingPath: string;
  classes: ModelClass[];
  enums: ModelEnum[];
  associations: ModelAssociation[];
  /** The schema's warnings plus those raised while modelling (untranslated CHECKs, dangling foreign keys). */
  warnings: SourceWarning[];
}

/** Options of {@link buildModel}. */
export interface ModelOptions {
  /** PURE package of classes, enums and associations; default `model`. */
  package?: string;
  /** Configured constraints by table name (predefined names or user-defined objects). */
  constraints?: Record<string, readonly ConstraintSpec[]>;
  /** Pattern of `validTicker`. */
  tickerPattern?: string;
  /** Translate database CHECKs into constraints; default true. */
  translateChecks?: boolean;
  /** Only these tables (by name); default all. */
  tables?: readonly string[];
}

/** The PURE type of a column kind (REQUIREMENTS §6); enum columns get their enum's path instead. */
export function pureType(column: SourceColumn): string {
  switch (column.normalized) {
    case 'boolean': return 'Boolean';
    case 'smallint': case 'integer': case 'bigint': return 'Integer';
    case 'decimal': return 'Decimal';
    case 'float': case 'double': return 'Float';
    case 'date': return 'StrictDate';
    case 'timestamp': case 'timestamptz': return 'DateTime';
    // PURE has no time-of-day, UUID, binary or JSON type: these travel as their text form.
    default: return 'String';
  }
}

function checkPackage(pkg: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*$/.test(pkg)) {
    throw new FloeError('INVALID_ARGUMENT', `invalid PURE package ${JSON.stringify(pkg)} (like model or org::trading)`, {
      context: { package: pkg },
    });
  }
  return pkg;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/**
 * Builds the model of a schema. Throws `INVALID_ARGUMENT` for a bad package, an unknown table in `tables` or
 * `constraints`, or a malformed constraint.
 */
export function buildModel(schema: SourceSchema, options: ModelOptions = {}): FloeModel {
  const pkg = checkPackage(options.package ?? 'model');
  const warnings: SourceWarning[] = [...schema.warnings];
  const wanted = options.tables ? new Set(options.tables) : undefined;
  const tables = schema.tables.filter((t) => !wanted || wanted.has(t.name));
  for (const name of [...(wanted ?? []), ...Object.keys(options.constraints ?? {})]) {
    if (!schema.tables.some((t) => t.name === name)) {
      throw new FloeError('TABLE_NOT_FOUND', `no table ${name} in ${schema.database}`, { context: { table: name } });
    }
  }

  const usedEnums = schema.enums.filter((e) => tables.some((t) => t.columns.some((c) => c.enum === e.name)));
  const enumNames = uniqueNames(usedEnums.map((e) => toClassName(e.name, { singular: false })));
  const classNames = uniqueNames(tables.map((t) => toClassName(t.name)), enumNames);
  const enums: ModelEnum[] = usedEnums.map((e, i) => {
    const names = uniqueNames(e.values.map(toEnumValueName));
    return { name: enumNames[i], path: `${pkg}::${enumNames[i]}`, source: e, values: e.values.map((label, j) => ({ name: names[j], label })) };
  });

  const classes: ModelClass[] = tables.map((table, i) => {
    const columns = [...table.columns].sort((a, b) => a.ordinal - b.ordinal);
    const propNames = uniqueNames(columns.map((c) => toPropertyName(c.name)));
    const properties = columns.map((column, j): ModelProperty => {
      const en = column.enum ? enums.find((e) => e.source.name === column.enum) : undefined;
      const required = !column.nullable || table.primary_keys.includes(column.name);
      const p: ModelProperty = {
        name: propNames[j], column, type: en ? en.path : pureType(column), multiplicity: { lower: required ? 1 : 0, upper: 1 },
      };
      if (en) p.enumPath = en.path;
      if (column.normalized === 'decimal') {
        if (column.precision !== undefined) p.precision = column.precision;
        if (column.scale !== undefined) p.scale = column.scale;
      }
      return p;
    });
    const constraints: ModelConstraint[] = [];
    if (options.translateChecks !== false) {
      const translated = translateChecks(table);
      constraints.push(...translated.constraints);
      warnings.push(...translated.warnings);
    }
    for (const c of resolveConstraints(table, options.constraints?.[table.name] ?? [], { tickerPattern: options.tickerPattern })) {
      if (constraints.some((o) => o.name === c.name)) {
        throw new FloeError('INVALID_ARGUMENT', `constraint ${c.name} of ${table.name} clashes with a database CHECK of that name`, {
          context: { table: table.name, constraint: c.name },
        });
      }
      constraints.push(c);
    }
    return { name: classNames[i], path: `${pkg}::${classNames[i]}`, table, properties, constraints };
  });

  const associations: ModelAssociation[] = [];
  const taken = new Map(classes.map((c) => [c, new Set(c.properties.map((p) => p.name))]));
  const assocNames: string[] = [];
  for (const child of classes) {
    for (const fk of child.table.foreign_keys) {
      const parent = classes.find((c) => c.table.name === fk.referencedTable && (!fk.referencedSchema || !c.table.schema || c.table.schema === fk.referencedSchema));
      if (!parent) {
        warnings.push({ code: 'UNSUPPORTED_FEATURE', message: `foreign key ${fk.name} references ${fk.referencedTable}, which is not modelled: no association`, table: child.table.name });
        continue;
      }
      // `account_id` names the account; otherwise the referenced class does (`account`).
      const single = fk.columns.length === 1 ? /^(.+?)_?(id|Id|ID)$/.exec(fk.columns[0]) : null;
      const childEndBase = single ? toPropertyName(single[1]) : lowerFirst(parent.name);
      const [childEnd] = uniqueNames([childEndBase], taken.get(child)!);
      taken.get(child)!.add(childEnd);
      const [parentEnd] = uniqueNames([lowerFirst(pluralize(child.name))], taken.get(parent)!);
      taken.get(parent)!.add(parentEnd);
      const [name] = uniqueNames([`${child.name}_${parent.name}`], [...assocNames, ...classNames, ...enumNames]);
      assocNames.push(name);
      const optional = fk.columns.some((col) => child.table.columns.find((c) => c.name === col)?.nullable ?? true);
      associations.push({
        name, path: `${pkg}::${name}`, foreignKey: fk, child, parent,
        ends: [
          { name: childEnd, target: parent.path, multiplicity: { lower: optional ? 0 : 1, upper: 1 } },
          { name: parentEnd, target: child.path, multiplicity: { lower: 0 } },
        ],
      });
    }
  }

  const base = schema.database.split(/[\\/]/).pop()!.replace(/\.(db|sqlite3?|duckdb)$/i, '');
  const dbName = toClassName(base, { singular: false });
  return {
    package: pkg,
    profilePath: `${pkg}::SqlType`,
    databasePath: `${pkg}::store::${dbName}`,
    mappingPath: `${pkg}::mapping::${dbName}Mapping`,
    classes, enums, associations, warnings,
  };
}
