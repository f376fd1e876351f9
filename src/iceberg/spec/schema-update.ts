/**
 * Schema evolution (spec: "Schema Evolution"): a builder that adds, drops, renames, reorders and promotes columns
 * and produces the next schema plus the table's new `last-column-id`. Pure: it works on copies, never on the
 * schema it was given. Changes apply in call order, so a later call names a column by its new name.
 *
 * Rules, from the spec and the reference implementations' `SchemaUpdate`/`UpdateSchema`:
 * - Column ids are never reused: new columns (and every id nested in their types) get ids above `last-column-id`.
 * - Only the spec's safe type promotions: int→long, float→double, decimal(P,S)→decimal(P',S) with P'≥P, and in v3
 *   date→timestamp/timestamp_ns and unknown→any type. A promotion of a partition source that would change the
 *   transform's value is refused ("Schema Evolution": "Promotion is not allowed for a field that is referenced by
 *   source-id ... if the partition transform would produce a different value").
 * - A required column can be added only with an `initial-default` (v3, spec "Default values"): old rows need a value.
 *   Making a column required is refused unless the caller has checked the data holds no null there.
 * - Identifier fields (spec "Identifier Field IDs") must be required primitive non-float fields nested only in
 *   required structs; a column used by them or by a partition field cannot be dropped.
 *
 * Every refusal is a `FloeError` with code `INVALID_ARGUMENT`.
 */
import { FloeError } from '../../errors.js';
import { valueFromJson } from './bounds.js';
import type { PartitionSpec } from './partition-spec.js';
import { indexById, findFieldByName, type Schema } from './schema.js';
import type { TableMetadata } from './table-metadata.js';
import { currentSchema } from './table-metadata.js';
import type { TableChange } from './table-update.js';
import { parsePrimitive, type IcebergType, type NestedField, type StructType } from './types.js';

/** Options of a {@link SchemaUpdate}. */
export interface SchemaUpdateOptions {
  /** Table format version: defaults and v3 promotions need 3. */
  formatVersion: number;
  /** Compare column names case-sensitively (default true). */
  caseSensitive?: boolean;
  /** The table's partition specs: their source columns cannot be dropped (or promoted where the value changes). */
  partitionSpecs?: PartitionSpec[];
  /**
   * The default spec's id. Its (non-void) source columns can never be dropped: new data could not be partitioned.
   * Sources only of older specs (or of void fields) can be, when the caller says so. Unset: every spec is current.
   */
  defaultSpecId?: number;
  /** Source column ids of the table's default sort order: they cannot be dropped while it sorts by them. */
  sortSourceIds?: number[];
  /** Ids of the table's schemas; the new schema's id is one above the highest (default: the given schema's). */
  schemaIds?: number[];
}

/** Options of {@link SchemaUpdate.addColumn}. */
export interface AddColumnOptions {
  doc?: string;
  required?: boolean;
  /** Value of the column in rows written before it existed (v3), JSON single-value form. */
  initialDefault?: unknown;
  /** Value written when a writer does not supply the column (v3), JSON single-value form. */
  writeDefault?: unknown;
}

/** One incompatible field found by {@link SchemaUpdate.unionByName}. */
export interface SchemaDifference {
  column: string;
  existing: string;
  incoming: string;
}

/** A column path: a dotted name (`a.b`, found as by `findFieldByName`) or the names from the root. */
export type ColumnPath = string | string[];

/** Where a field sits: the struct holding it (undefined for list elements and map keys/values). */
interface Located {
  field: NestedField;
  parent: StructType | undefined;
  name: string;
}

const typeName = (t: IcebergType): string => (typeof t === 'string' ? t : t.type);

function invalid(message: string, context: Record<string, unknown> = {}): never {
  throw new FloeError('INVALID_ARGUMENT', message, { context });
}

/**
 * True when `from` may be promoted to `to` (spec "Schema Evolution", "Type promotion"); identical types count.
 */
export function isSafePromotion(from: string, to: string, formatVersion: number): boolean {
  const a = parsePrimitive(from);
  const b = parsePrimitive(to);
  if (a.kind === 'decimal' && b.kind === 'decimal') return b.scale === a.scale && b.precision >= a.precision;
  if (a.kind === b.kind && a.kind !== 'fixed' && a.kind !== 'geometry' && a.kind !== 'geography') return true;
  if (a.kind === 'fixed' && b.kind === 'fixed') return a.length === b.length;
  if (a.kind === 'int' && b.kind === 'long') return true;
  if (a.kind === 'float' && b.kind === 'double') return true;
  if (formatVersion >= 3) {
    if (a.kind === 'date' && (b.kind === 'timestamp' || b.kind === 'timestamp_ns')) return true;
    if (a.kind === 'unknown') return true;
  }
  return false;
}

/** A builder of the next schema of a table (rules in the module comment). */
export class SchemaUpdate {
  private readonly root: StructType;
  private lastColumnId: number;
  private identifierIds: number[];
  private readonly hadIdentifiers: boolean;
  private readonly opts: SchemaUpdateOptions;
  private readonly nextSchemaId: number;

  constructor(schema: Schema, lastColumnId: number, options: SchemaUpdateOptions) {
    this.root = { type: 'struct', fields: structuredClone(schema.fields) };
    this.lastColumnId = lastColumnId;
    this.identifierIds = [...(schema['identifier-field-ids'] ?? [])];
    this.hadIdentifiers = schema['identifier-field-ids'] !== undefined;
    this.opts = options;
    this.nextSchemaId = Math.max(schema['schema-id'], ...(options.schemaIds ?? [])) + 1;
  }

  private get caseSensitive(): boolean {
    return this.opts.caseSensitive ?? true;
  }

  private same(a: string, b: string): boolean {
    return this.caseSensitive ? a === b : a.toLowerCase() === b.toLowerCase();
  }

  /** Finds a field; list elements and map keys/values are found too but have no parent struct. */
  private locate(path: ColumnPath): Located {
    const name = typeof path === 'string' ? path : path.join('.');
    const found = findFieldByName(this.root, name, this.caseSensitive);
    if (found === undefined) invalid(`no column named '${name}'`, { column: name });
    const parentType = found.path.length === 1 ? this.root : this.typeAt(found.path.slice(0, -1));
    const parent = typeof parentType !== 'string' && parentType.type === 'struct' ? parentType : undefined;
    const field = parent?.fields.find((f) => f.id === found.field.id) ?? found.field;
    return { field, parent, name };
  }

  /** The type at an exact path of names (`element`, `key`, `value` step into lists and maps). */
  private typeAt(path: string[]): IcebergType {
    let t: IcebergType = this.root;
    for (const step of path) {
      if (typeof t === 'string') invalid(`'${path.join('.')}' is not nested`, { column: path.join('.') });
      if (t.type === 'struct') {
        const f: NestedField | undefined = t.fields.find((x) => x.name === step);
        if (!f) invalid(`no column named '${path.join('.')}'`, { column: path.join('.') });
        t = f.type;
      } else if (t.type === 'list') t = t.element;
      else t = step === 'key' ? t.key : t.value;
    }
    return t;
  }

  /** The struct new columns go into: a struct, a list of structs' element, or a map's struct value. */
  private structAt(parent: string[]): StructType {
    if (parent.length === 0) return this.root;
    const { field, name } = this.locate(parent);
    let t = field.type;
    if (typeof t !== 'string' && t.type === 'list') t = t.element;
    else if (typeof t !== 'string' && t.type === 'map') t = t.value;
    if (typeof t === 'string' || t.type !== 'struct') invalid(`cannot add a column to '${name}': not a struct`, { column: name });
    return t;
  }

  /** Gives every id in `type` a fresh one (struct fields first, then their types, as Java's `AssignFreshIds`). */
  private freshIds(type: IcebergType): IcebergType {
    if (typeof type === 'string') return type;
    if (type.type === 'struct') {
      const fields = type.fields.map((f) => ({ ...f, id: ++this.lastColumnId }));
      return { type: 'struct', fields: fields.map((f) => ({ ...f, type: this.freshIds(f.type) })) };
    }
    if (type.type === 'list') {
      const id = ++this.lastColumnId;
      return { ...type, 'element-id': id, element: this.freshIds(type.element) };
    }
    const keyId = ++this.lastColumnId;
    const valueId = ++this.lastColumnId;
    return { ...type, 'key-id': keyId, 'value-id': valueId, key: this.freshIds(type.key), value: this.freshIds(type.value) };
  }

  private checkDefault(type: IcebergType, value: unknown, what: string, column: string): void {
    if (value === undefined || value === null) return;
    if (this.opts.formatVersion < 3) invalid(`${what} needs format version 3 (spec "Default values")`, { column });
    if (typeof type !== 'string') return;
    try {
      valueFromJson(type, value);
    } catch (err) {
      throw new FloeError('INVALID_ARGUMENT', `${what} of '${column}' is not a ${type}: ${JSON.stringify(value)}`, {
        context: { column },
        cause: err,
      });
    }
  }

  /**
   * Adds a column. `path` is the new column's name (a string is one top-level name, which may contain dots) or the
   * names of its parent struct followed by its name. New ids start above the last assigned column id.
   */
  addColumn(path: ColumnPath, type: IcebergType, opts: AddColumnOptions = {}): this {
    const names = typeof path === 'string' ? [path] : path;
    if (names.length === 0 || names[names.length - 1] === '') invalid('a new column needs a name');
    const name = names[names.length - 1];
    const column = names.join('.');
    const struct = this.structAt(names.slice(0, -1));
    if (struct.fields.some((f) => this.same(f.name, name))) invalid(`column '${column}' already exists`, { column });
    if (typeof type === 'string') parsePrimitiveOrInvalid(type, column);
    this.checkDefault(type, opts.initialDefault, 'initial-default', column);
    this.checkDefault(type, opts.writeDefault, 'write-default', column);
    if (opts.required && (opts.initialDefault === undefined || opts.initialDefault === null)) {
      // Spec "Default values": rows written before the column existed read as its initial-default.
      invalid(`a required column needs an initial default (format version 3): '${column}'`, { column });
    }
    const field: NestedField = { id: ++this.lastColumnId, name, required: opts.required ?? false, type: 'unknown' };
    field.type = this.freshIds(type);
    if (opts.doc !== undefined) field.doc = opts.doc;
    if (opts.initialDefault !== undefined) field['initial-default'] = opts.initialDefault;
    if (opts.writeDefault !== undefined) field['write-default'] = opts.writeDefault;
    struct.fields.push(field);
    return this;
  }

  /** Renames a struct field; a name its siblings already use is refused. */
  renameColumn(path: ColumnPath, newName: string): this {
    const { field, parent, name } = this.locate(path);
    if (!parent) invalid(`cannot rename '${name}': list elements and map keys/values have fixed names`, { column: name });
    if (newName === '') invalid('a column name cannot be empty', { column: name });
    if (parent.fields.some((f) => f.id !== field.id && this.same(f.name, newName))) {
      invalid(`cannot rename '${name}' to '${newName}': that name is taken`, { column: name, newName });
    }
    field.name = newName;
    return this;
  }

  /**
   * Drops a column (with everything nested in it). Identifier columns are refused, and so are partition source
   * columns: always for a field of the default spec, and for older specs' (or void) fields unless
   * `allowPartitionSource`. Old files keep their partition tuples, typed from the schema they were written with
   * (spec "Partition Evolution": old specs stay valid for the files written with them), but readers that bind
   * every historical spec to the current schema fail on such a table, so it takes an explicit choice.
   */
  deleteColumn(path: ColumnPath, opts: { allowPartitionSource?: boolean } = {}): this {
    const { field, parent, name } = this.locate(path);
    if (!parent) invalid(`cannot drop '${name}': list elements and map keys/values cannot be dropped`, { column: name });
    const ids = new Set([field.id, ...indexById({ fields: [field] }).keys()]);
    const ident = this.identifierIds.find((id) => ids.has(id));
    if (ident !== undefined) {
      invalid(`cannot drop identifier field '${name}': change the identifier fields first`, { column: name, fieldId: ident });
    }
    const sortedBy = (this.opts.sortSourceIds ?? []).find((id) => ids.has(id));
    if (sortedBy !== undefined) {
      invalid(`cannot drop '${name}': the table's sort order uses it; replace the sort order first`, { column: name, fieldId: sortedBy });
    }
    for (const spec of this.opts.partitionSpecs ?? []) {
      const current = this.opts.defaultSpecId === undefined || spec['spec-id'] === this.opts.defaultSpecId;
      for (const pf of spec.fields) {
        const sources = pf['source-ids'] ?? [pf['source-id']];
        if (!sources.some((s) => ids.has(s))) continue;
        const context = { column: name, specId: spec['spec-id'], partitionField: pf.name };
        if (current && pf.transform !== 'void') {
          invalid(`cannot drop '${name}': the table is partitioned by '${pf.name}' (spec ${spec['spec-id']}); remove that partition field first`, context);
        }
        if (!opts.allowPartitionSource) {
          invalid(
            `cannot drop '${name}': partition field '${pf.name}' of the older spec ${spec['spec-id']} uses it; allow dropping a partition source to drop it anyway`,
            context,
          );
        }
      }
    }
    parent.fields.splice(parent.fields.indexOf(field), 1);
    return this;
  }

  /** Promotes a primitive column to a wider type (only the spec's safe promotions). */
  updateColumnType(path: ColumnPath, newType: string): this {
    const { field, name } = this.locate(path);
    const from = field.type;
    if (typeof from !== 'string') {
      invalid(`cannot change the type of '${name}': it is a ${from.type}`, { column: name, from: from.type, to: newType });
    }
    parsePrimitiveOrInvalid(newType, name);
    if (!isSafePromotion(from, newType, this.opts.formatVersion)) {
      invalid(`cannot change '${name}' from ${from} to ${newType}: not a safe promotion`, { column: name, from, to: newType });
    }
    if (parsePrimitive(from).kind === 'date' && parsePrimitive(newType).kind !== 'date') {
      // Spec: a promotion must not change a partition value; year/month/day of a date and of its timestamp agree.
      for (const spec of this.opts.partitionSpecs ?? []) {
        const pf = spec.fields.find((p) => (p['source-ids'] ?? [p['source-id']]).includes(field.id));
        if (pf && !['year', 'month', 'day', 'void'].includes(pf.transform)) {
          invalid(`cannot promote '${name}': partition field '${pf.name}' (${pf.transform}) would change`, {
            column: name,
            from,
            to: newType,
          });
        }
      }
    }
    this.setFieldType(field, newType);
    return this;
  }

  /** Sets a (possibly synthetic list element / map value) field's type in the tree. */
  private setFieldType(field: NestedField, type: string): void {
    const entry = indexById(this.root).get(field.id);
    const parentPath = entry!.path.slice(0, -1);
    const holder = parentPath.length === 0 ? this.root : this.typeAt(parentPath);
    if (typeof holder === 'string') return;
    if (holder.type === 'struct') holder.fields.find((f) => f.id === field.id)!.type = type;
    else if (holder.type === 'list') holder.element = type;
    else if (holder['key-id'] === field.id) holder.key = type;
    else holder.value = type;
  }

  /** Makes a column optional (always safe: readers of the new schema accept nulls). */
  makeOptional(path: ColumnPath): this {
    const { field, parent, name } = this.locate(path);
    if (parent) field.required = false;
    else {
      const entry = indexById(this.root).get(field.id)!;
      const holder = this.typeAt(entry.path.slice(0, -1));
      if (typeof holder !== 'string' && holder.type === 'list') holder['element-required'] = false;
      else if (typeof holder !== 'string' && holder.type === 'map' && holder['value-id'] === field.id) holder['value-required'] = false;
      else invalid(`map keys are always required: '${name}'`, { column: name });
    }
    return this;
  }

  /**
   * Makes a struct field required. Refused unless the caller has checked that no row the new schema will read holds
   * a null there (`checkedNoNulls`; `requireColumns` in src/engine does it against every branch): files written
   * before may hold nulls, and the spec allows only the required-to-optional direction unconditionally ("Schema
   * Evolution"). List elements and map values are not supported.
   */
  requireColumn(path: ColumnPath, opts: { checkedNoNulls?: boolean } = {}): this {
    const { field, parent, name } = this.locate(path);
    if (!opts.checkedNoNulls) {
      invalid(`cannot make '${name}' required: existing rows may be null (floe table alter require-column checks them)`, { column: name });
    }
    if (!parent) invalid(`cannot make '${name}' required: only struct fields can be (not list elements or map values)`, { column: name });
    field.required = true;
    return this;
  }

  /** Sets or clears (`undefined`) a column's doc. */
  updateDoc(path: ColumnPath, doc: string | undefined): this {
    const { field, parent, name } = this.locate(path);
    if (!parent) invalid(`cannot document '${name}': not a struct field`, { column: name });
    if (doc === undefined) delete field.doc;
    else field.doc = doc;
    return this;
  }

  /** Moves a column first among its siblings. */
  moveFirst(path: ColumnPath): this {
    const { field, parent, name } = this.locate(path);
    if (!parent) invalid(`cannot move '${name}': not a struct field`, { column: name });
    parent.fields.splice(parent.fields.indexOf(field), 1);
    parent.fields.unshift(field);
    return this;
  }

  /** Moves a column right after `ref`, a sibling. */
  moveAfter(path: ColumnPath, ref: ColumnPath): this {
    return this.moveNextTo(path, ref, 1);
  }

  /** Moves a column right before `ref`, a sibling. */
  moveBefore(path: ColumnPath, ref: ColumnPath): this {
    return this.moveNextTo(path, ref, 0);
  }

  private moveNextTo(path: ColumnPath, ref: ColumnPath, offset: 0 | 1): this {
    const moved = this.locate(path);
    const anchor = this.locate(ref);
    if (!moved.parent) invalid(`cannot move '${moved.name}': not a struct field`, { column: moved.name });
    if (moved.field.id === anchor.field.id) invalid(`cannot move '${moved.name}' relative to itself`, { column: moved.name });
    if (anchor.parent !== moved.parent) {
      invalid(`cannot move '${moved.name}' next to '${anchor.name}': they are in different structs`, { column: moved.name, ref: anchor.name });
    }
    const fields = moved.parent.fields;
    fields.splice(fields.indexOf(moved.field), 1);
    fields.splice(fields.indexOf(anchor.field) + offset, 0, moved.field);
    return this;
  }

  /** Replaces the identifier fields (spec "Identifier Field IDs"); checked when the schema is built. */
  setIdentifierFields(names: string[]): this {
    this.identifierIds = [...new Set(names.map((n) => this.locate(n).field.id))];
    return this;
  }

  /**
   * Merges `other` into the schema by name: missing columns are added (optional), safe promotions applied, required
   * columns that `other` has optional made optional. Anything else incompatible is refused with every difference in
   * `context.differences` ({@link SchemaDifference}) and leaves the builder unchanged.
   */
  unionByName(other: Pick<Schema, 'fields'>): this {
    const saved = { root: structuredClone(this.root.fields), last: this.lastColumnId };
    const differences: SchemaDifference[] = [];
    const visit = (incoming: StructType, path: string[]): void => {
      for (const f of incoming.fields) {
        const here = [...path, f.name];
        const struct = this.structAt(path);
        const existing = struct.fields.find((x) => this.same(x.name, f.name));
        if (!existing) {
          this.addColumn(here, f.type, f.doc === undefined ? {} : { doc: f.doc });
          continue;
        }
        const column = here.join('.');
        if (!f.required && existing.required) existing.required = false;
        if (f.doc !== undefined && f.doc !== existing.doc) existing.doc = f.doc;
        const a = existing.type;
        const b = f.type;
        if (typeof a === 'string' && typeof b === 'string') {
          if (isSafePromotion(a, b, this.opts.formatVersion)) {
            if (a !== b) this.updateColumnType([...path, existing.name], b);
          } else if (!isSafePromotion(b, a, this.opts.formatVersion)) {
            // The incoming type widening to the existing one is fine: the table already holds it.
            differences.push({ column, existing: a, incoming: b });
          }
        } else if (typeof a !== 'string' && typeof b !== 'string' && a.type === 'struct' && b.type === 'struct') {
          visit(b, [...path, existing.name]);
        } else if (typeName(a) !== typeName(b) || typeof a === 'string' || typeof b === 'string') {
          differences.push({ column, existing: typeName(a), incoming: typeName(b) });
        } else if (JSON.stringify(stripIds(a)) !== JSON.stringify(stripIds(b))) {
          // Lists and maps: compared whole (without ids) rather than merged element by element.
          differences.push({ column, existing: JSON.stringify(stripIds(a)), incoming: JSON.stringify(stripIds(b)) });
        }
      }
    };
    try {
      visit({ type: 'struct', fields: other.fields }, []);
    } catch (err) {
      this.root.fields = saved.root;
      this.lastColumnId = saved.last;
      throw err;
    }
    if (differences.length > 0) {
      this.root.fields = saved.root;
      this.lastColumnId = saved.last;
      invalid(`schemas are incompatible: ${differences.map((d) => `${d.column} (${d.existing} vs ${d.incoming})`).join(', ')}`, {
        differences,
      });
    }
    return this;
  }

  /** The new schema (id one above the table's highest) and the table's new last column id. */
  apply(): { schema: Schema; lastColumnId: number } {
    const schema: Schema = { type: 'struct', 'schema-id': this.nextSchemaId, fields: structuredClone(this.root.fields) };
    const index = indexById(schema);
    for (const id of this.identifierIds) this.checkIdentifier(schema, index, id);
    if (this.identifierIds.length > 0 || this.hadIdentifiers) schema['identifier-field-ids'] = [...this.identifierIds];
    return { schema, lastColumnId: this.lastColumnId };
  }

  /** Spec "Identifier Field IDs" with Java's `Schema.validateIdentifierField` rules. */
  private checkIdentifier(schema: Schema, index: ReturnType<typeof indexById>, id: number): void {
    const entry = index.get(id);
    if (!entry) invalid(`identifier field id ${id} is not in the schema`, { fieldId: id });
    const column = entry.path.join('.');
    const t = entry.field.type;
    if (typeof t !== 'string') invalid(`identifier field '${column}' must be a primitive`, { column });
    const kind = parsePrimitive(t).kind;
    if (kind === 'float' || kind === 'double') invalid(`identifier field '${column}' cannot be ${kind}`, { column });
    if (!entry.field.required) invalid(`identifier field '${column}' must be required`, { column });
    let struct: StructType = schema;
    for (const step of entry.path.slice(0, -1)) {
      const f = struct.fields.find((x) => x.name === step);
      if (!f || typeof f.type === 'string' || f.type.type !== 'struct') {
        invalid(`identifier field '${column}' cannot be nested in a list or map`, { column });
      }
      if (!f.required) invalid(`identifier field '${column}' cannot be nested in an optional struct`, { column });
      struct = f.type;
    }
  }
}

function parsePrimitiveOrInvalid(type: string, column: string): void {
  try {
    parsePrimitive(type);
  } catch (err) {
    throw new FloeError('INVALID_ARGUMENT', `unknown type ${JSON.stringify(type)} for '${column}'`, { context: { column }, cause: err });
  }
}

function stripIds(t: IcebergType): unknown {
  if (typeof t === 'string') return t;
  if (t.type === 'struct') return t.fields.map((f) => [f.name, f.required, stripIds(f.type)]);
  if (t.type === 'list') return ['list', t['element-required'], stripIds(t.element)];
  return ['map', stripIds(t.key), t['value-required'], stripIds(t.value)];
}

/**
 * The change that evolves a table's current schema: `build` edits a {@link SchemaUpdate}; the result adds the
 * schema and makes it current, on condition that the current schema and last column id are still those it was
 * planned on (REST `assert-current-schema-id`, `assert-last-assigned-field-id`).
 */
export function schemaChangeUpdates(metadata: TableMetadata, build: (u: SchemaUpdate) => void): TableChange {
  const u = new SchemaUpdate(currentSchema(metadata), metadata['last-column-id'], {
    formatVersion: metadata['format-version'],
    partitionSpecs: metadata['partition-specs'],
    defaultSpecId: metadata['default-spec-id'],
    sortSourceIds: (metadata['sort-orders'].find((o) => o['order-id'] === metadata['default-sort-order-id'])?.fields ?? []).map((f) => f['source-id']),
    schemaIds: metadata.schemas.map((s) => s['schema-id']),
  });
  build(u);
  const { schema, lastColumnId } = u.apply();
  return {
    updates: [
      { action: 'add-schema', schema, 'last-column-id': lastColumnId },
      { action: 'set-current-schema', 'schema-id': -1 },
    ],
    requirements: [
      { type: 'assert-current-schema-id', 'current-schema-id': metadata['current-schema-id'] },
      { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': metadata['last-column-id'] },
    ],
  };
}
