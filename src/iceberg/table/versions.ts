/**
 * Versions of a table (REQUIREMENTS.md §4): a version is a snapshot kept under a tag (spec: "Snapshot References"),
 * so it survives snapshot expiry for as long as the tag's `max-ref-age-ms` allows (forever by default). Creating
 * one tags the current (or a given) snapshot; listing shows the tags with their snapshot's time and row count; and
 * {@link resolveVersion} turns what a user names as a version (a tag or branch, a snapshot id, or a time) into a
 * snapshot, for time travel, diff and restore.
 */
import { FloeError, isFloeError } from '../../errors.js';
import type { Catalog, TableIdentifier } from '../catalog/catalog.js';
import type { Snapshot } from '../spec/snapshot.js';
import type { TableMetadata } from '../spec/table-metadata.js';
import { createRef } from './refs.js';
import { selectSnapshot, type SnapshotSelector } from './table.js';

/** Options of {@link createVersion}. */
export interface CreateVersionOptions {
  /** Tag name; generated as `v-<UTC time>` (e.g. `v-20261122T101530123Z`) when absent. */
  name?: string;
  /** Snapshot to tag; the current snapshot by default. */
  snapshotId?: bigint;
  /** How long the tag (and so its snapshot) is kept, in ms (spec: `max-ref-age-ms`); forever when absent. */
  maxRefAgeMs?: bigint;
}

/** A created version. */
export interface CreatedVersion {
  version: string;
  snapshot_id: bigint;
}

/** A version as listed. */
export interface VersionInfo {
  version: string;
  snapshot_id: bigint;
  /** When the snapshot was committed (ISO 8601). */
  committed_at: string;
  /** Rows in the snapshot (its summary's `total-records`), when recorded. */
  row_count: bigint | null;
  /** The tag's retention, when set. */
  max_ref_age_ms: bigint | null;
  /** When the tag may be expired (snapshot time + max-ref-age), when it has a retention. */
  expires_at: string | null;
}

/** What names a version: a tag/branch name, a snapshot id, an ISO time, or an explicit selector. */
export type VersionRef = string | bigint | SnapshotSelector;

function generatedName(md: TableMetadata, now: Date): string {
  const base = `v-${now.toISOString().replace(/[-:.]/g, '')}`;
  let name = base;
  for (let n = 2; md.refs[name] !== undefined; n++) name = `${base}-${n}`;
  return name;
}

/**
 * Tags the current snapshot (or `opts.snapshotId`) as a version. Errors: `INVALID_ARGUMENT` when the name is taken
 * or the table has no snapshot; `SNAPSHOT_NOT_FOUND` for an unknown snapshot id. Nothing changes on error.
 */
export async function createVersion(catalog: Catalog, id: TableIdentifier, opts: CreateVersionOptions = {}): Promise<CreatedVersion> {
  if (opts.name !== undefined && (opts.name.trim() === '' || opts.name !== opts.name.trim())) {
    throw new FloeError('INVALID_ARGUMENT', `version name ${JSON.stringify(opts.name)} must be non-empty without surrounding spaces`);
  }
  if (opts.maxRefAgeMs !== undefined && opts.maxRefAgeMs <= 0n) {
    throw new FloeError('INVALID_ARGUMENT', 'a version retention must be positive');
  }
  // A generated name taken by a concurrent writer between load and commit is generated again.
  for (let attempt = 0; ; attempt++) {
    const md = (await catalog.loadTable(id)).metadata;
    const name = opts.name ?? generatedName(md, new Date());
    const snapshotId = opts.snapshotId ?? md['current-snapshot-id'];
    try {
      const done = await createRef(catalog, id, name, 'tag', {
        ...(opts.maxRefAgeMs !== undefined ? { maxRefAgeMs: opts.maxRefAgeMs } : {}),
        ...(snapshotId !== undefined ? { snapshotId } : {}),
      });
      return { version: name, snapshot_id: done.metadata.refs[name]['snapshot-id'] };
    } catch (err) {
      if (opts.name === undefined && attempt < 3 && isFloeError(err, 'INVALID_ARGUMENT') && err.context.ref === name) continue;
      throw err;
    }
  }
}

/** The table's versions (tags), oldest snapshot first. */
export function listVersions(md: TableMetadata): VersionInfo[] {
  const out: VersionInfo[] = [];
  for (const [name, ref] of Object.entries(md.refs)) {
    if (ref.type !== 'tag') continue;
    const snap = md.snapshots.find((s) => s['snapshot-id'] === ref['snapshot-id']);
    const ts = snap?.['timestamp-ms'];
    const total = snap?.summary?.['total-records'];
    const age = ref['max-ref-age-ms'];
    out.push({
      version: name,
      snapshot_id: ref['snapshot-id'],
      committed_at: ts === undefined ? '' : new Date(Number(ts)).toISOString(),
      row_count: total === undefined ? null : BigInt(total),
      max_ref_age_ms: age ?? null,
      expires_at: age === undefined || ts === undefined ? null : new Date(Number(ts + age)).toISOString(),
    });
  }
  return out.sort((a, b) => a.committed_at.localeCompare(b.committed_at) || a.version.localeCompare(b.version));
}

/**
 * Parses a time a user typed: ISO 8601 (`2026-11-22`, `2026-11-22T10:15:00`, with or without a zone; no zone
 * means UTC). Undefined when `text` is not such a time.
 */
export function parseVersionTime(text: string): bigint | undefined {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(text.trim())) return undefined;
  let t = text.trim().replace(' ', 'T');
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(t)) t += t.includes('T') ? 'Z' : 'T00:00:00Z';
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : BigInt(ms);
}

/** A version reference as a snapshot selector (a string: a ref name first, then a snapshot id, then a time). */
export function versionSelector(md: TableMetadata, v: VersionRef): SnapshotSelector {
  if (typeof v === 'bigint') return { snapshotId: v };
  if (typeof v !== 'string') return v;
  if (Object.prototype.hasOwnProperty.call(md.refs, v)) return { ref: v };
  if (/^-?\d+$/.test(v)) return { snapshotId: BigInt(v) };
  const ts = parseVersionTime(v);
  if (ts !== undefined) return { asOfTimestampMs: ts };
  throw new FloeError('REF_NOT_FOUND', `no version, branch or tag named '${v}' (nor a snapshot id or ISO time)`, { context: { ref: v } });
}

/**
 * The snapshot a version names. Errors: `REF_NOT_FOUND` for an unknown name, `SNAPSHOT_NOT_FOUND` for an unknown
 * snapshot id, a time before the first snapshot, or a table with no snapshot.
 */
export function resolveVersion(md: TableMetadata, v: VersionRef): Snapshot {
  const sel = versionSelector(md, v);
  const snap = selectSnapshot(md, sel);
  if (!snap) throw new FloeError('SNAPSHOT_NOT_FOUND', 'the table has no snapshot yet');
  return snap;
}
