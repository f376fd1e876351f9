/**
 * The engine of `applyUpdates` (apply-updates.ts): one {@link UpdateApplier} per commit applies each `TableUpdate`
 * to a private copy of the metadata, remembering what the commit added (for `-1` references and the snapshot log),
 * following Iceberg Java's `TableMetadata.Builder`. Error codes are listed in apply-updates.ts.
 */
import { randomUUID } from 'node:crypto';
import { FloeError } from '../../errors.js';
import { lastAssignedFieldId, type PartitionSpec } from './partition-spec.js';
import type { Schema } from './schema.js';
import { UNSORTED_ORDER_ID, unsortedOrder, type SortOrder } from './sort-order.js';
import { MAIN_BRANCH, type Snapshot, type SnapshotLogEntry, type SnapshotRef } from './snapshot.js';
import type { TableMetadata } from './table-metadata.js';
import type { TableUpdate } from './table-update.js';
import {
  buildRef,
  canonicalJson,
  checkDefaults,
  checkFormatVersion,
  checkSchema,
  checkSortOrder,
  checkSpec,
  compatibleSpec,
  highestFieldId,
  invalidUpdate,
  sameOrder,
  sameSchema,
} from './update-checks.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Defines an own property, so that names such as `__proto__` stay plain keys. */
function setOwn<T>(o: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * Applies the updates of one commit to `md`, which it owns and modifies (pass a copy): {@link apply} each update in
 * order, then {@link finish}.
 */
export class UpdateApplier {
  /** Whether any update changed the metadata so far. */
  changed = false;
  private lastAddedSchemaId: number | undefined;
  private lastAddedSpecId: number | undefined;
  private lastAddedOrderId: number | undefined;
  private readonly addedSnapshots = new Set<bigint>();
  /** Snapshots added in this commit that `main` pointed to at some step (see `finish`). */
  private readonly mainSetToAdded = new Set<bigint>();
  private removedSnapshots = false;
  private defaultsChanged = false;

  constructor(
    private readonly md: TableMetadata,
    private readonly nowMs: bigint,
  ) {}

  /** Applies one update. */
  apply(u: TableUpdate): void {
    const md = this.md;
    switch (u.action) {
      case 'assign-uuid':
        if (typeof u.uuid !== 'string' || !UUID_RE.test(u.uuid)) invalidUpdate(u.action, `not a UUID: ${u.uuid}`);
        if (u.uuid.toLowerCase() !== md['table-uuid'].toLowerCase()) this.set('table-uuid', u.uuid);
        return;
      case 'upgrade-format-version': {
        const v = checkFormatVersion(u['format-version']);
        const from = md['format-version'];
        if (v < from) invalidUpdate(u.action, `cannot downgrade a v${from} table to v${v}`, { formatVersion: v });
        if (v === from) return;
        this.set('format-version', v);
        // Spec "Row Lineage for Upgraded Tables": next-row-id starts at 0 when a table is upgraded to v3.
        if (v >= 3 && md['next-row-id'] === undefined) md['next-row-id'] = 0n;
        return;
      }
      case 'add-schema':
        return this.addSchema(u.schema, u['last-column-id']);
      case 'set-current-schema': {
        const id = this.resolve(u.action, u['schema-id'], this.lastAddedSchemaId, 'schema');
        if (!md.schemas.some((s) => s['schema-id'] === id)) {
          invalidUpdate(u.action, `no schema with id ${id}`, { schemaId: id });
        }
        if (id !== md['current-schema-id']) this.setDefault('current-schema-id', id);
        return;
      }
      case 'add-spec':
        return this.addSpec(u.spec);
      case 'set-default-spec': {
        const id = this.resolve(u.action, u['spec-id'], this.lastAddedSpecId, 'partition spec');
        if (!md['partition-specs'].some((s) => s['spec-id'] === id)) {
          invalidUpdate(u.action, `no partition spec with id ${id}`, { specId: id });
        }
        if (id !== md['default-spec-id']) this.setDefault('default-spec-id', id);
        return;
      }
      case 'add-sort-order':
        return this.addSortOrder(u['sort-order']);
      case 'set-default-sort-order': {
        const id = this.resolve(u.action, u['sort-order-id'], this.lastAddedOrderId, 'sort order');
        if (!md['sort-orders'].some((s) => s['order-id'] === id)) {
          invalidUpdate(u.action, `no sort order with id ${id}`, { orderId: id });
        }
        if (id !== md['default-sort-order-id']) this.setDefault('default-sort-order-id', id);
        return;
      }
      case 'add-snapshot':
        return this.addSnapshot(u.snapshot);
      case 'set-snapshot-ref': {
        const { action: _action, 'ref-name': name, ...fields } = u;
        return this.setRef(name, fields);
      }
      case 'remove-snapshots':
        return this.removeSnapshots(new Set(u['snapshot-ids'].map((id) => BigInt(id))));
      case 'remove-snapshot-ref':
        return this.removeRef(u['ref-name']);
      case 'set-location':
        if (typeof u.location !== 'string' || u.location === '') invalidUpdate(u.action, 'location must not be empty');
        if (u.location !== md.location) this.set('location', u.location);
        return;
      case 'set-properties':
        for (const [k, v] of Object.entries(u.updates)) {
          if (typeof v !== 'string') invalidUpdate(u.action, `property ${JSON.stringify(k)} must be a string`);
          if (!Object.hasOwn(md.properties, k) || md.properties[k] !== v) {
            setOwn(md.properties, k, v);
            this.changed = true;
          }
        }
        return;
      case 'remove-properties':
        for (const k of u.removals) {
          if (Object.hasOwn(md.properties, k)) {
            delete md.properties[k];
            this.changed = true;
          }
        }
        return;
      case 'set-statistics':
        // `snapshot-id` beside the file is deprecated in REST and redundant; it must at least agree.
        if (u['snapshot-id'] !== undefined && BigInt(u['snapshot-id']) !== BigInt(u.statistics['snapshot-id'])) {
          invalidUpdate(u.action, 'snapshot-id differs from statistics.snapshot-id');
        }
        return this.replaceBySnapshot('statistics', u.statistics);
      case 'remove-statistics':
        return this.removeBySnapshot('statistics', BigInt(u['snapshot-id']));
      case 'set-partition-statistics':
        return this.replaceBySnapshot('partition-statistics', u['partition-statistics']);
      case 'remove-partition-statistics':
        return this.removeBySnapshot('partition-statistics', BigInt(u['snapshot-id']));
      case 'remove-partition-specs': {
        const ids = new Set(u['spec-ids']);
        if (ids.has(md['default-spec-id'])) invalidUpdate(u.action, 'cannot remove the default partition spec');
        const kept = md['partition-specs'].filter((s) => !ids.has(s['spec-id']));
        if (kept.length !== md['partition-specs'].length) this.set('partition-specs', kept);
        return;
      }
      case 'remove-schemas': {
        const ids = new Set(u['schema-ids']);
        if (ids.has(md['current-schema-id'])) invalidUpdate(u.action, 'cannot remove the current schema');
        const kept = md.schemas.filter((s) => !ids.has(s['schema-id']));
        if (kept.length !== md.schemas.length) this.set('schemas', kept);
        return;
      }
      case 'add-encryption-key': {
        const key = u['encryption-key'];
        if (typeof key?.['key-id'] !== 'string') invalidUpdate(u.action, 'encryption-key needs a key-id');
        const keys = md['encryption-keys'] ?? [];
        if (!keys.some((k) => keyId(k) === key['key-id'])) this.set('encryption-keys', [...keys, structuredClone(key)]);
        return;
      }
      case 'remove-encryption-key': {
        const keys = md['encryption-keys'] ?? [];
        const kept = keys.filter((k) => keyId(k) !== u['key-id']);
        if (kept.length !== keys.length) this.set('encryption-keys', kept);
        return;
      }
      default: {
        const action = String((u as { action?: unknown }).action);
        throw new FloeError('UNSUPPORTED', `unknown table update action ${JSON.stringify(action)}`, {
          context: { action },
        });
      }
    }
  }

  /**
   * Final touches, as Java's `Builder.build`: snapshot log clean-up, a UUID for v2+, the defaults check when they
   * changed, and `last-updated-ms` when anything changed. Returns the metadata.
   */
  finish(): TableMetadata {
    const md = this.md;
    // A transaction may move main through several snapshots it added; only the last was ever current, so the others'
    // log entries go (Java `intermediateSnapshotIdSet`).
    const intermediate = new Set([...this.mainSetToAdded].filter((id) => id !== md['current-snapshot-id']));
    let log: SnapshotLogEntry[] = md['snapshot-log'].filter((e) => !intermediate.has(e['snapshot-id']));
    if (this.removedSnapshots) {
      // Spec "Table Metadata Fields", `snapshot-log`: when snapshots expire, all entries before an expired one go, so
      // the log never claims a snapshot was current over a time when an expired one was.
      const present = new Set(md.snapshots.map((s) => s['snapshot-id']));
      const kept: SnapshotLogEntry[] = [];
      for (const e of log) {
        if (present.has(e['snapshot-id'])) kept.push(e);
        else kept.length = 0;
      }
      log = kept;
    }
    if (log.length !== md['snapshot-log'].length) md['snapshot-log'] = log;
    // Spec "Table Metadata Fields": `table-uuid` is required from v2; a v1 table upgraded without one gets one.
    if (md['format-version'] >= 2 && md['table-uuid'] === '') this.set('table-uuid', randomUUID());
    if (this.defaultsChanged) checkDefaults(md);
    if (this.changed) md['last-updated-ms'] = this.nowMs;
    return md;
  }

  private set<K extends keyof TableMetadata>(key: K, value: TableMetadata[K]): void {
    this.md[key] = value;
    this.changed = true;
  }

  private setDefault(key: 'current-schema-id' | 'default-spec-id' | 'default-sort-order-id', id: number): void {
    this.set(key, id);
    this.defaultsChanged = true;
  }

  /** `-1` is the id added last in this commit (REST convention); an error when nothing was added. */
  private resolve(action: string, id: number, lastAdded: number | undefined, what: string): number {
    if (id !== -1) return id;
    if (lastAdded === undefined) invalidUpdate(action, `-1 names the last added ${what}, but none was added`);
    return lastAdded;
  }

  private addSchema(schema: Schema, lastColumnId: number | undefined): void {
    const md = this.md;
    checkSchema('add-schema', schema, md['format-version']);
    // Spec "Schema Evolution": column ids are never reused, so last-column-id only grows.
    const newLast = Math.max(md['last-column-id'], highestFieldId(schema), lastColumnId ?? 0);
    if (newLast !== md['last-column-id']) this.set('last-column-id', newLast);
    // Java reuses an identical schema's id (`reuseOrCreateNewSchemaId`). A later -1 then names the reused schema
    // (Java refuses -1 there, but naming it is what the caller means); a new one gets the next free id.
    const same = md.schemas.find((s) => sameSchema(s, schema));
    let id: number;
    if (same !== undefined) {
      id = same['schema-id'];
    } else {
      const ids = md.schemas.map((s) => s['schema-id'] + 1);
      id = ids.length === 0 ? 0 : Math.max(md['current-schema-id'], ...ids);
      this.set('schemas', [...md.schemas, { ...structuredClone(schema), 'schema-id': id }]);
    }
    this.lastAddedSchemaId = id;
  }

  /** Java `addPartitionSpecInternal`: reuse a compatible spec, else the next spec id; field ids kept as given. */
  private addSpec(spec: PartitionSpec): void {
    const md = this.md;
    const same = md['partition-specs'].find((s) => compatibleSpec(s, spec));
    if (same !== undefined) {
      this.lastAddedSpecId = same['spec-id'];
      return;
    }
    const current = md.schemas.find((s) => s['schema-id'] === md['current-schema-id']);
    checkSpec('add-spec', spec, current, md['format-version']);
    const id = Math.max(0, ...md['partition-specs'].map((s) => s['spec-id'] + 1));
    this.set('partition-specs', [...md['partition-specs'], { ...structuredClone(spec), 'spec-id': id }]);
    // Spec "Partition Evolution": partition field ids are never reused, so last-partition-id only grows.
    md['last-partition-id'] = Math.max(md['last-partition-id'], lastAssignedFieldId(spec));
    this.lastAddedSpecId = id;
  }

  /** Java `addSortOrderInternal`: unsorted is always id 0; reuse an identical order, else the next id from 1. */
  private addSortOrder(order: SortOrder): void {
    const md = this.md;
    const orders = md['sort-orders'];
    let id: number;
    if (order.fields.length === 0) {
      // Spec "Sorting": order id 0 is reserved for the unsorted order.
      id = UNSORTED_ORDER_ID;
      if (!orders.some((o) => o['order-id'] === id)) this.set('sort-orders', [...orders, unsortedOrder()]);
    } else {
      const same = orders.find((o) => o.fields.length > 0 && sameOrder(o, order));
      if (same !== undefined) {
        id = same['order-id'];
      } else {
        checkSortOrder('add-sort-order', order, md.schemas.find((s) => s['schema-id'] === md['current-schema-id']));
        id = Math.max(1, ...orders.map((o) => o['order-id'] + 1));
        this.set('sort-orders', [...orders, { ...structuredClone(order), 'order-id': id }]);
      }
    }
    this.lastAddedOrderId = id;
  }

  private addSnapshot(input: Snapshot): void {
    const md = this.md;
    const snap = structuredClone(input);
    const id = snap['snapshot-id'];
    if (md.schemas.length === 0 || md['partition-specs'].length === 0 || md['sort-orders'].length === 0) {
      invalidUpdate('add-snapshot', 'the table needs a schema, partition spec and sort order before a snapshot');
    }
    if (md.snapshots.some((s) => s['snapshot-id'] === id)) {
      invalidUpdate('add-snapshot', `snapshot ${id} already exists`, { snapshotId: String(id) });
    }
    const v = md['format-version'];
    const seq = snap['sequence-number'];
    const last = md['last-sequence-number'];
    // Spec "Sequence Numbers": each commit's sequence number is above every earlier one. One that is not was planned
    // against an older table, so the writer must re-plan: a retryable conflict (Java RetryableValidationException).
    // v1 has no sequence numbers.
    if (v >= 2 && seq <= last) {
      const message = `snapshot ${id}: sequence number ${seq} is not above the table's ${last}`;
      throw new FloeError('COMMIT_CONFLICT', message, {
        retryable: true,
        context: { action: 'add-snapshot', sequenceNumber: String(seq), lastSequenceNumber: String(last) },
      });
    }
    if (v >= 3) this.assignRowIds(snap);
    if (v >= 2) md['last-sequence-number'] = seq;
    this.set('snapshots', [...md.snapshots, snap]);
    this.addedSnapshots.add(id);
  }

  /**
   * Spec "Snapshot Row IDs": a v3 snapshot's `first-row-id` is the table's `next-row-id` when it commits, and
   * `next-row-id` then grows by `added-rows`. A first row id below the table's means another commit took those ids
   * first: retryable conflict. The new `next-row-id` counts from the snapshot's own first row id, so it stays above
   * every assigned id (spec "Table Metadata Fields", `next-row-id`) even if the writer left a gap.
   */
  private assignRowIds(snap: Snapshot): void {
    const first = snap['first-row-id'];
    const added = snap['added-rows'];
    if (first === undefined || added === undefined || added < 0n) {
      invalidUpdate('add-snapshot', 'a v3 snapshot needs first-row-id and a non-negative added-rows', {
        snapshotId: String(snap['snapshot-id']),
      });
    }
    const next = this.md['next-row-id'] ?? nextRowIdFromSnapshots(this.md.snapshots);
    if (first < next) {
      const message = `snapshot first-row-id ${first} is behind the table's next-row-id ${next}`;
      throw new FloeError('COMMIT_CONFLICT', message, {
        retryable: true,
        context: { action: 'add-snapshot', firstRowId: String(first), nextRowId: String(next) },
      });
    }
    this.md['next-row-id'] = first + added;
  }

  private setRef(name: string, fields: SnapshotRef): void {
    const md = this.md;
    const ref = buildRef(name, fields);
    const id = ref['snapshot-id'];
    const snap = md.snapshots.find((s) => s['snapshot-id'] === id);
    if (snap === undefined) {
      invalidUpdate('set-snapshot-ref', `${name}: no snapshot with id ${id}`, { ref: name, snapshotId: String(id) });
    }
    const existing = Object.hasOwn(md.refs, name) ? md.refs[name] : undefined;
    if (existing !== undefined && canonicalJson(existing) === canonicalJson(ref)) return;
    setOwn(md.refs, name, ref);
    this.changed = true;
    if (name === MAIN_BRANCH && md['current-snapshot-id'] !== id) {
      md['current-snapshot-id'] = id;
      // Spec "Table Metadata Fields", `snapshot-log`: an entry each time the current snapshot changes. Java stamps a
      // snapshot added in this commit with its own time, a rollback to an older one with the commit time.
      const added = this.addedSnapshots.has(id);
      const entry = { 'timestamp-ms': added ? snap['timestamp-ms'] : this.nowMs, 'snapshot-id': id };
      md['snapshot-log'] = [...md['snapshot-log'], entry];
      if (added) this.mainSetToAdded.add(id);
    }
  }

  private removeRef(name: string): void {
    const md = this.md;
    if (!Object.hasOwn(md.refs, name)) return;
    delete md.refs[name];
    // Spec "Table Metadata Fields": current-snapshot-id is main's snapshot; without main there is none.
    if (name === MAIN_BRANCH) delete md['current-snapshot-id'];
    this.changed = true;
  }

  /** Java `removeSnapshots`: ids the table lacks are ignored; refs and statistics of removed snapshots go too. */
  private removeSnapshots(ids: Set<bigint>): void {
    const md = this.md;
    const kept = md.snapshots.filter((s) => !ids.has(s['snapshot-id']));
    if (kept.length === md.snapshots.length) return;
    this.set('snapshots', kept);
    this.removedSnapshots = true;
    md.statistics = md.statistics.filter((f) => !ids.has(f['snapshot-id']));
    md['partition-statistics'] = md['partition-statistics'].filter((f) => !ids.has(f['snapshot-id']));
    for (const [name, ref] of Object.entries(md.refs)) {
      if (ids.has(ref['snapshot-id'])) this.removeRef(name);
    }
  }

  /** One statistics file per snapshot (spec "Table Statistics", "Partition Statistics"): a new one replaces it. */
  private replaceBySnapshot<K extends 'statistics' | 'partition-statistics'>(key: K, file: TableMetadata[K][number]) {
    const list = this.md[key] as Array<TableMetadata[K][number]>;
    if (list.some((f) => canonicalJson(f) === canonicalJson(file))) return;
    const sid = BigInt(file['snapshot-id']);
    this.set(key, [...list.filter((f) => f['snapshot-id'] !== sid), structuredClone(file)] as TableMetadata[K]);
  }

  private removeBySnapshot(key: 'statistics' | 'partition-statistics', snapshotId: bigint): void {
    const list = this.md[key] as Array<{ 'snapshot-id': bigint }>;
    const kept = list.filter((f) => f['snapshot-id'] !== snapshotId);
    if (kept.length !== list.length) this.set(key, kept as TableMetadata[typeof key]);
  }
}

/** `next-row-id` of a v3 table whose metadata lacks it: above every row id its snapshots assigned, else 0. */
function nextRowIdFromSnapshots(snapshots: Snapshot[]): bigint {
  let next = 0n;
  for (const s of snapshots) {
    const end = (s['first-row-id'] ?? 0n) + (s['added-rows'] ?? 0n);
    if (end > next) next = end;
  }
  return next;
}

function keyId(key: unknown): unknown {
  return key !== null && typeof key === 'object' ? (key as Record<string, unknown>)['key-id'] : undefined;
}
