/**
 * Partition evolution (spec: "Partition Evolution"): a builder that adds, removes and renames fields of a table's
 * default partition spec and produces the next spec. Pure: it never changes the metadata it was given.
 *
 * Rules, from the spec and the reference implementation's `BaseUpdatePartitionSpec`:
 * - Old specs stay in the metadata and old data files keep the spec they were written with; only new writes use
 *   the new default spec ("Partition Evolution": "the table's partition spec can be changed ... old data written
 *   with an earlier spec remains unchanged").
 * - Partition field ids are never reused for a different field: unchanged fields keep their id, new fields get ids
 *   above `last-partition-id` (v2: "New IDs are assigned based on the last assigned partition ID in table
 *   metadata"); a field equal (same source and transform) to one of an older spec takes that field's id back
 *   ("Partitioning": partition field IDs must be reused if an existing partition spec contains an equivalent field).
 * - v1 did not track field ids (they are 1000, 1001, ... by position), so a removed field is replaced by a `void`
 *   transform instead of disappearing ("Partition Evolution": "In v1, partition fields ... must be replaced with
 *   the void transform").
 *
 * Every refusal is a `FloeError` with code `INVALID_ARGUMENT`.
 */
import { FloeError } from '../../errors.js';
import { buildPartitionSpec } from './partition-builder.js';
import { V1_FIRST_PARTITION_FIELD_ID, type PartitionField, type PartitionSpec } from './partition-spec.js';
import { findFieldByName, indexById, type Schema } from './schema.js';
import { currentSchema, defaultSpec, type TableMetadata } from './table-metadata.js';
import type { TableChange } from './table-update.js';
import { parseTransform, transformToString, type Transform } from './transforms.js';

const TIME_KINDS = new Set(['year', 'month', 'day', 'hour']);

function invalid(message: string, context: Record<string, unknown> = {}): never {
  throw new FloeError('INVALID_ARGUMENT', message, { context });
}

function sameField(a: Pick<PartitionField, 'source-id' | 'transform'>, b: Pick<PartitionField, 'source-id' | 'transform'>): boolean {
  return a['source-id'] === b['source-id'] && normTransform(a.transform) === normTransform(b.transform);
}

function normTransform(text: string): string {
  return transformToString(parseTransform(text)).toLowerCase();
}

/** An added field before its id is assigned. */
interface AddedField {
  'source-id': number;
  name: string;
  transform: string;
}

/**
 * Evolves the default partition spec of a table. Calls chain; {@link PartitionSpecUpdate.apply} builds the result.
 * Fields are named by their current (base spec) name; a field added in this update cannot also be removed or
 * renamed in it.
 */
export class PartitionSpecUpdate {
  private readonly schema: Schema;
  private readonly base: PartitionSpec;
  private readonly formatVersion: number;
  private readonly allSpecs: PartitionSpec[];
  private readonly lastPartitionId: number;
  private readonly adds: AddedField[] = [];
  private readonly removes = new Set<number>();
  private readonly renames = new Map<number, string>();

  /** Starts from the table's default spec on its current schema. */
  constructor(metadata: TableMetadata) {
    this.schema = currentSchema(metadata);
    this.base = structuredClone(defaultSpec(metadata));
    this.formatVersion = metadata['format-version'];
    this.allSpecs = metadata['partition-specs'];
    this.lastPartitionId = Math.max(
      metadata['last-partition-id'],
      ...metadata['partition-specs'].flatMap((s) => s.fields.map((f) => f['field-id'])),
      V1_FIRST_PARTITION_FIELD_ID - 1,
    );
  }

  /**
   * Adds a partition field `transform(sourceColumn)` (transform as in the spec: `identity`, `bucket[16]`, `day`...).
   * The name defaults to floe's convention (`ts_day`, `id_bucket`, `region`). Unknown columns, transforms that do
   * not apply to the column's type, duplicates and a second time transform on the same column are refused.
   */
  addField(sourceColumn: string, transform: string, name?: string): this {
    const built = buildPartitionSpec(this.schema, [{ field: sourceColumn, transform }]).fields[0];
    const t: Transform = parseTransform(built.transform);
    const added: AddedField = { 'source-id': built['source-id'], name: name ?? built.name, transform: transformToString(t) };
    if (added.name.trim() === '') invalid('partition field name is empty');
    const live = this.base.fields.filter((f) => !this.removes.has(f['field-id']) && parseTransform(f.transform).kind !== 'void');
    for (const f of [...live, ...this.adds]) {
      if (sameField(f, added)) {
        invalid(`partition field ${added.transform}(${sourceColumn}) already exists as '${f.name}'`, { field: f.name });
      }
      // Java `checkForRedundantAddedPartitions`: two time transforms of one column partition the same way twice.
      const fk = parseTransform(f.transform).kind;
      if (f['source-id'] === added['source-id'] && TIME_KINDS.has(fk) && TIME_KINDS.has(t.kind)) {
        invalid(`column '${sourceColumn}' is already partitioned by ${fk} ('${f.name}'); remove it first`, { field: f.name });
      }
    }
    const removedSame = this.base.fields.find((f) => this.removes.has(f['field-id']) && sameField(f, added));
    if (removedSame !== undefined) invalid(`partition field '${removedSame.name}' is removed and added back in one change`, { field: removedSame.name });
    this.adds.push(added);
    return this;
  }

  /** Removes a field of the current spec, named by partition field name or, if unambiguous, by its source column. */
  removeField(nameOrSource: string): this {
    const field = this.baseField(nameOrSource, true);
    if (this.removes.has(field['field-id'])) invalid(`partition field '${field.name}' is already removed`, { field: field.name });
    if (this.renames.has(field['field-id'])) invalid(`partition field '${field.name}' is renamed and removed in one change`, { field: field.name });
    if (parseTransform(field.transform).kind === 'void') invalid(`partition field '${field.name}' was already removed (void)`, { field: field.name });
    this.removes.add(field['field-id']);
    return this;
  }

  /** Renames a field of the current spec (by its partition field name). */
  renameField(oldName: string, newName: string): this {
    const field = this.baseField(oldName, false);
    if (this.removes.has(field['field-id'])) invalid(`partition field '${oldName}' is removed and renamed in one change`, { field: oldName });
    if (newName.trim() === '') invalid('partition field name is empty');
    this.renames.set(field['field-id'], newName);
    return this;
  }

  /**
   * The new spec: kept fields (renamed where asked; in v1 removed ones as `void`), then added fields. Its id is one
   * above the highest spec id of the table (the catalog assigns the final id, reusing an equal spec if one exists).
   */
  apply(): PartitionSpec {
    const fields: PartitionField[] = [];
    for (const f of this.base.fields) {
      const name = this.renames.get(f['field-id']) ?? f.name;
      if (!this.removes.has(f['field-id'])) fields.push({ ...f, name });
      else if (this.formatVersion < 2) fields.push({ ...f, name, transform: 'void' });
    }
    let next = this.lastPartitionId;
    for (const a of this.adds) {
      let id: number;
      if (this.formatVersion < 2) {
        id = V1_FIRST_PARTITION_FIELD_ID + fields.length;
      } else {
        const inUse = new Set(fields.map((f) => f['field-id']));
        const old = this.allSpecs.flatMap((s) => s.fields).find((f) => sameField(f, a) && !inUse.has(f['field-id']));
        id = old !== undefined ? old['field-id'] : ++next;
      }
      fields.push({ 'source-id': a['source-id'], 'field-id': id, name: a.name, transform: a.transform });
    }
    // v1 voided fields keep their names; one that now clashes with a live name moves aside (Java appends the id).
    const liveNames = new Set(fields.filter((f) => f.transform !== 'void').map((f) => f.name));
    for (const f of fields) if (f.transform === 'void' && liveNames.has(f.name)) f.name = `${f.name}_${f['field-id']}`;
    this.checkNames(fields);
    const specId = Math.max(0, ...this.allSpecs.map((s) => s['spec-id'] + 1));
    return { 'spec-id': specId, fields };
  }

  private checkNames(fields: PartitionField[]): void {
    const seen = new Set<string>();
    const byId = indexById(this.schema);
    for (const f of fields) {
      if (seen.has(f.name)) invalid(`partition field name '${f.name}' is used twice`, { field: f.name });
      seen.add(f.name);
      // Java `PartitionSpec.Builder.checkAndAddPartitionName`: a partition name may equal a column name only when
      // it is the identity partition of that very column.
      const column = findFieldByName(this.schema, f.name);
      const identityOfIt = column !== undefined && column.field.id === f['source-id'] && parseTransform(f.transform).kind === 'identity';
      if (column !== undefined && !identityOfIt && f.transform !== 'void') {
        invalid(`partition field name '${f.name}' conflicts with a column of the table`, { field: f.name });
      }
      if (f.transform !== 'void' && !byId.has(f['source-id'])) {
        invalid(`partition field '${f.name}' has a source column that is no longer in the schema`, { field: f.name });
      }
    }
  }

  private baseField(nameOrSource: string, bySourceToo: boolean): PartitionField {
    const byName = this.base.fields.find((f) => f.name === nameOrSource);
    if (byName !== undefined) return byName;
    if (bySourceToo) {
      const column = findFieldByName(this.schema, nameOrSource);
      const matches = column === undefined ? [] : this.base.fields.filter((f) => f['source-id'] === column.field.id && f.transform !== 'void');
      if (matches.length === 1) return matches[0];
      if (matches.length > 1) {
        invalid(`column '${nameOrSource}' has several partition fields (${matches.map((f) => f.name).join(', ')}); name one`, {
          field: nameOrSource,
        });
      }
    }
    return invalid(`no partition field '${nameOrSource}' in spec ${this.base['spec-id']}`, { field: nameOrSource });
  }
}

/**
 * The table change evolving the default partition spec: `build` edits a fresh {@link PartitionSpecUpdate}; the
 * new spec is added and made the default. Requirements pin the default spec and `last-partition-id` the change
 * was planned on, so a concurrent evolution conflicts instead of being overwritten.
 */
export function partitionSpecChange(metadata: TableMetadata, build: (u: PartitionSpecUpdate) => void): TableChange {
  const u = new PartitionSpecUpdate(metadata);
  build(u);
  const spec = u.apply();
  return {
    updates: [
      { action: 'add-spec', spec },
      { action: 'set-default-spec', 'spec-id': -1 },
    ],
    requirements: [
      { type: 'assert-default-spec-id', 'default-spec-id': metadata['default-spec-id'] },
      { type: 'assert-last-assigned-partition-id', 'last-assigned-partition-id': metadata['last-partition-id'] },
    ],
  };
}
