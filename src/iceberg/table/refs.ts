/**
 * Branches and tags (spec: "Snapshot References"): create, replace and drop them with their retention settings,
 * fast-forward a branch, roll back or set the current snapshot. Each is a `{updates, requirements}` change
 * committed with retries, built on the table as it is at each attempt.
 */
import { FloeError } from '../../errors.js';
import type { Catalog, TableIdentifier } from '../catalog/catalog.js';
import { snapshotAncestry, snapshotById } from '../spec/table-metadata.js';
import type { TableMetadata } from '../spec/table-metadata.js';
import type { SnapshotRef } from '../spec/snapshot.js';
import type { TableChange } from '../spec/table-update.js';
import { commitWithRetry, type CommitOutcome } from './commit.js';

/** Retention of a ref (spec: "Snapshot Retention Policy"). */
export interface RefRetention {
  minSnapshotsToKeep?: number;
  maxSnapshotAgeMs?: bigint;
  maxRefAgeMs?: bigint;
}

function refOf(type: 'branch' | 'tag', snapshotId: bigint, r: RefRetention = {}): SnapshotRef {
  if (type === 'tag' && (r.minSnapshotsToKeep !== undefined || r.maxSnapshotAgeMs !== undefined)) {
    throw new FloeError('INVALID_ARGUMENT', 'tags keep one snapshot: only max-ref-age applies to them');
  }
  const ref: SnapshotRef = { 'snapshot-id': snapshotId, type };
  if (r.minSnapshotsToKeep !== undefined) ref['min-snapshots-to-keep'] = r.minSnapshotsToKeep;
  if (r.maxSnapshotAgeMs !== undefined) ref['max-snapshot-age-ms'] = r.maxSnapshotAgeMs;
  if (r.maxRefAgeMs !== undefined) ref['max-ref-age-ms'] = r.maxRefAgeMs;
  return ref;
}

function headOf(md: TableMetadata, name: string): bigint {
  const ref = md.refs[name];
  if (!ref) throw new FloeError('REF_NOT_FOUND', `no branch or tag named '${name}'`, { context: { ref: name } });
  return ref['snapshot-id'];
}

function setRef(md: TableMetadata, name: string, ref: SnapshotRef): TableChange {
  snapshotById(md, ref['snapshot-id']);
  return {
    updates: [{ action: 'set-snapshot-ref', 'ref-name': name, ...ref }],
    requirements: [
      { type: 'assert-table-uuid', uuid: md['table-uuid'] },
      { type: 'assert-ref-snapshot-id', ref: name, 'snapshot-id': md.refs[name]?.['snapshot-id'] ?? null },
    ],
  };
}

function commit(catalog: Catalog, id: TableIdentifier, build: (md: TableMetadata) => TableChange): Promise<CommitOutcome> {
  return commitWithRetry(catalog, id, async (t) => build(t.metadata));
}

/** Creates a tag or branch at `snapshotId` (default: the current snapshot). Existing name: INVALID_ARGUMENT. */
export function createRef(
  catalog: Catalog,
  id: TableIdentifier,
  name: string,
  type: 'branch' | 'tag',
  opts: RefRetention & { snapshotId?: bigint } = {},
): Promise<CommitOutcome> {
  return commit(catalog, id, (md) => {
    if (md.refs[name]) throw new FloeError('INVALID_ARGUMENT', `a ref named '${name}' already exists`, { context: { ref: name } });
    const snapshotId = opts.snapshotId ?? md['current-snapshot-id'];
    if (snapshotId === undefined) throw new FloeError('INVALID_ARGUMENT', 'the table has no snapshot to point a ref at');
    return setRef(md, name, refOf(type, snapshotId, opts));
  });
}

/** Points an existing ref at another snapshot, keeping its type (and retention unless given). */
export function replaceRef(
  catalog: Catalog,
  id: TableIdentifier,
  name: string,
  snapshotId: bigint,
  retention?: RefRetention,
): Promise<CommitOutcome> {
  return commit(catalog, id, (md) => {
    headOf(md, name);
    const old = md.refs[name];
    const ref = retention ? refOf(old.type, snapshotId, retention) : { ...old, 'snapshot-id': snapshotId };
    return setRef(md, name, ref);
  });
}

/** Drops a branch or tag. The `main` branch cannot be dropped. */
export async function dropRef(catalog: Catalog, id: TableIdentifier, name: string): Promise<CommitOutcome> {
  if (name === 'main') throw new FloeError('INVALID_ARGUMENT', 'the main branch cannot be dropped');
  return commit(catalog, id, (md) => {
    const head = headOf(md, name);
    return {
      updates: [{ action: 'remove-snapshot-ref', 'ref-name': name }],
      requirements: [{ type: 'assert-ref-snapshot-id', ref: name, 'snapshot-id': head }],
    };
  });
}

/** Moves `branch` to the head of `to` when that head descends from the branch's head (a fast-forward). */
export function fastForward(catalog: Catalog, id: TableIdentifier, branch: string, to: string): Promise<CommitOutcome> {
  return commit(catalog, id, (md) => {
    const from = headOf(md, branch);
    const target = headOf(md, to);
    if (md.refs[branch].type !== 'branch') throw new FloeError('INVALID_ARGUMENT', `'${branch}' is a tag, not a branch`);
    const ancestry = snapshotAncestry(md, snapshotById(md, target)).map((s) => s['snapshot-id']);
    if (!ancestry.includes(from)) {
      throw new FloeError('INVALID_ARGUMENT', `cannot fast-forward '${branch}' to '${to}': ${from} is not an ancestor of ${target}`, {
        context: { branch, to },
      });
    }
    return setRef(md, branch, { ...md.refs[branch], 'snapshot-id': target });
  });
}

/** Rolls `branch` (default main) back to an ancestor of its head. */
export function rollbackTo(catalog: Catalog, id: TableIdentifier, snapshotId: bigint, branch = 'main'): Promise<CommitOutcome> {
  return commit(catalog, id, (md) => {
    const head = headOf(md, branch);
    const ancestry = snapshotAncestry(md, snapshotById(md, head)).map((s) => s['snapshot-id']);
    if (!ancestry.includes(snapshotId)) {
      throw new FloeError('INVALID_ARGUMENT', `snapshot ${snapshotId} is not an ancestor of ${branch}; use set-current to jump to it`, {
        context: { snapshotId: snapshotId.toString(), branch },
      });
    }
    return setRef(md, branch, { ...md.refs[branch], 'snapshot-id': snapshotId });
  });
}

/** Makes any snapshot of the table the current one (main's head). */
export function setCurrentSnapshot(catalog: Catalog, id: TableIdentifier, snapshotId: bigint): Promise<CommitOutcome> {
  return commit(catalog, id, (md) => setRef(md, 'main', { ...(md.refs.main ?? { type: 'branch' }), 'snapshot-id': snapshotId, type: 'branch' }));
}
