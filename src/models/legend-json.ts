/**
 * A {@link FloeModel} as Legend protocol JSON entities (`{path, classifierPath, content}`), one file per element
 * laid out as Legend SDLC projects do: `entities/<package path>/<Name>.json`. Constraints are lambdas holding
 * value-specification trees, the same trees the PURE text is printed from.
 */
import type { SourceSchema } from '../sources/source-schema.js';
import { buildModel } from './model.js';
import type { FloeModel, ModelClass, ModelOptions, Multiplicity } from './model.js';
import { enumMappingId, relationalType } from './pure.js';
import { classConstraintSpecs } from './value-spec.js';

/** A Legend SDLC entity. */
export interface LegendEntity {
  path: string;
  classifierPath: string;
  content: Record<string, unknown>;
}

/** Classifier paths of the elements floe writes. */
export const CLASSIFIERS = {
  profile: 'meta::pure::metamodel::extension::Profile',
  class: 'meta::pure::metamodel::type::Class',
  enumeration: 'meta::pure::metamodel::type::Enumeration',
  association: 'meta::pure::metamodel::relationship::Association',
  database: 'meta::relational::metamodel::Database',
  mapping: 'meta::pure::mapping::Mapping',
} as const;

function split(path: string): { package: string; name: string } {
  const i = path.lastIndexOf('::');
  return { package: path.slice(0, i), name: path.slice(i + 2) };
}

/** The protocol multiplicity (`upperBound` absent for `*`). */
export function multiplicityJson(m: Multiplicity): { lowerBound: number; upperBound?: number } {
  return m.upper === undefined ? { lowerBound: m.lower } : { lowerBound: m.lower, upperBound: m.upper };
}

function typeRef(fullPath: string): Record<string, unknown> {
  return { rawType: { _type: 'packageableType', fullPath } };
}

function classContent(model: FloeModel, cls: ModelClass): Record<string, unknown> {
  const tag = (value: string, v: number) => ({ tag: { profile: model.profilePath, value }, value: String(v) });
  return {
    _type: 'class',
    name: cls.name,
    package: model.package,
    superTypes: [],
    stereotypes: [],
    taggedValues: cls.table.comment ? [{ tag: { profile: 'meta::pure::profiles::doc', value: 'doc' }, value: cls.table.comment }] : [],
    constraints: classConstraintSpecs(model, cls).map((c) => ({
      name: c.name,
      functionDefinition: { _type: 'lambda', body: [c.spec], parameters: [] },
    })),
    properties: cls.properties.map((p) => {
      const taggedValues = [];
      if (p.precision !== undefined) taggedValues.push(tag('precision', p.precision));
      if (p.scale !== undefined) taggedValues.push(tag('scale', p.scale));
      return { name: p.name, genericType: typeRef(p.type), multiplicity: multiplicityJson(p.multiplicity), stereotypes: [], taggedValues };
    }),
  };
}

function tablePtr(model: FloeModel, table: string): Record<string, unknown> {
  return { _type: 'Table', database: model.databasePath, mainTableDb: model.databasePath, schema: 'default', table };
}

function columnRef(model: FloeModel, table: string, column: string): Record<string, unknown> {
  return { _type: 'column', table: tablePtr(model, table), tableAlias: table, column };
}

function databaseContent(model: FloeModel): Record<string, unknown> {
  const { package: pkg, name } = split(model.databasePath);
  return {
    _type: 'relational',
    name,
    package: pkg,
    includedStores: [],
    filters: [],
    schemas: [{
      name: 'default',
      views: [],
      tables: model.classes.map((cls) => ({
        name: cls.table.name,
        primaryKey: [...cls.table.primary_keys],
        columns: cls.properties.map((p) => ({
          name: p.column.name,
          type: relationalType(p.column),
          nullable: p.column.nullable && !cls.table.primary_keys.includes(p.column.name),
        })),
      })),
    }],
    joins: model.associations.map((a) => {
      const equals = a.foreignKey.columns.map((col, i) => ({
        _type: 'dynaFunc',
        funcName: 'equal',
        parameters: [columnRef(model, a.child.table.name, col), columnRef(model, a.parent.table.name, a.foreignKey.referencedColumns[i])],
      }));
      const operation = equals.reduce((acc, e) => ({ _type: 'dynaFunc', funcName: 'and', parameters: [acc, e] }));
      return { name: a.name, operation };
    }),
  };
}

function mappingContent(model: FloeModel): Record<string, unknown> {
  const { package: pkg, name } = split(model.mappingPath);
  const ptr = (table: string) => tablePtr(model, table);
  return {
    _type: 'mapping',
    name,
    package: pkg,
    includedMappings: [],
    tests: [],
    classMappings: model.classes.map((cls) => {
      const propertyMappings: Record<string, unknown>[] = cls.properties.map((p) => ({
        _type: 'relationalPropertyMapping',
        property: { class: cls.path, property: p.name },
        source: '',
        relationalOperation: columnRef(model, cls.table.name, p.column.name),
        ...(p.enumPath ? { enumMappingId: enumMappingId(p.enumPath) } : {}),
      }));
      for (const a of model.associations) {
        for (const [end, owner, target] of [[a.ends[0], a.child, a.parent], [a.ends[1], a.parent, a.child]] as const) {
          if (owner !== cls) continue;
          propertyMappings.push({
            _type: 'relationalPropertyMapping',
            property: { class: cls.path, property: end.name },
            source: '',
            target: target.path.replace(/::/g, '_'),
            relationalOperation: { _type: 'elemtWithJoins', joins: [{ db: model.databasePath, name: a.name }] },
          });
        }
      }
      return {
        _type: 'relational',
        id: cls.path.replace(/::/g, '_'),
        class: cls.path,
        root: true,
        distinct: false,
        mainTable: ptr(cls.table.name),
        primaryKey: [],
        propertyMappings,
      };
    }),
    enumerationMappings: model.enums.map((e) => ({
      id: enumMappingId(e.path),
      enumeration: { path: e.path, type: 'ENUMERATION' },
      enumValueMappings: e.values.map((v) => ({ enumValue: v.name, sourceValues: [{ _type: 'stringSourceValue', value: v.label }] })),
    })),
  };
}

/** The entities of a model, in a stable order: profile, enumerations, classes, associations, store, mapping. */
export function renderLegendEntities(model: FloeModel): LegendEntity[] {
  const out: LegendEntity[] = [];
  const { package: profilePkg, name: profileName } = split(model.profilePath);
  out.push({
    path: model.profilePath,
    classifierPath: CLASSIFIERS.profile,
    content: { _type: 'profile', name: profileName, package: profilePkg, stereotypes: [], tags: ['precision', 'scale'] },
  });
  for (const e of model.enums) {
    out.push({
      path: e.path,
      classifierPath: CLASSIFIERS.enumeration,
      content: { _type: 'Enumeration', name: e.name, package: model.package, stereotypes: [], taggedValues: [], values: e.values.map((v) => ({ value: v.name, stereotypes: [], taggedValues: [] })) },
    });
  }
  for (const cls of model.classes) out.push({ path: cls.path, classifierPath: CLASSIFIERS.class, content: classContent(model, cls) });
  for (const a of model.associations) {
    out.push({
      path: a.path,
      classifierPath: CLASSIFIERS.association,
      content: {
        _type: 'association',
        name: a.name,
        package: model.package,
        stereotypes: [],
        taggedValues: [],
        properties: a.ends.map((end) => ({ name: end.name, genericType: typeRef(end.target), multiplicity: multiplicityJson(end.multiplicity), stereotypes: [], taggedValues: [] })),
      },
    });
  }
  out.push({ path: model.databasePath, classifierPath: CLASSIFIERS.database, content: databaseContent(model) });
  out.push({ path: model.mappingPath, classifierPath: CLASSIFIERS.mapping, content: mappingContent(model) });
  return out;
}

/** The file of an entity: `entities/model/store/Trading.json` for `model::store::Trading`. */
export function entityFilePath(path: string): string {
  return `entities/${path.split('::').join('/')}.json`;
}

/** The entities of a model keyed by relative file path (insertion order = {@link renderLegendEntities} order). */
export function renderLegendJson(model: FloeModel): Map<string, LegendEntity> {
  return new Map(renderLegendEntities(model).map((e) => [entityFilePath(e.path), e]));
}

/** Builds the model of a schema and renders it as Legend protocol JSON entities by file path. */
export function generateLegendJson(schema: SourceSchema, options: ModelOptions = {}): Map<string, LegendEntity> {
  return renderLegendJson(buildModel(schema, options));
}
