/**
 * Producing a snapshot for a commit (spec: "Snapshots", "Manifests", "Manifest Lists"). Data files and the
 * manifest of added files are written once; each commit attempt then builds a manifest list on the current base
 * (carrying the base's manifests, rewriting those that lose files, merging small ones) and returns the
 * `{updates, requirements}` of the change. Files written by attempts that did not land are tracked so the caller
 * can delete them when the commit surely failed, and keep them when its state is unknown.
 */
import { randomUUID } from 'node:crypto';
import { FloeError } from '../../errors.js';
import { EntryStatus, type DataFile, type ManifestEntry } from '../avro/manifest.js';
import { writeManifestList, type ManifestFile } from '../avro/manifest-list.js';
import type { FileIO } from '../io/file-io.js';
import { joinPath } from '../io/file-io.js';
import { buildSummary } from '../spec/snapshot-summary.js';
import type { Snapshot, SnapshotSummary } from '../spec/snapshot.js';
import { currentSchema, specById, type TableMetadata } from '../spec/table-metadata.js';
import type { TableChange } from '../spec/table-update.js';
import { newSnapshotId } from './create-table-from-files.js';
import { partitionKey } from './delete-index.js';
import { mergeManifests } from './manifest-merge.js';
import { metadataDir, writeManifestFile } from './manifest-writing.js';
import type { Table } from './table.js';
import { loadManifest, snapshotManifestFiles } from './snapshot-manifests.js';

/** What a commit changes in the table's files. */
export interface SnapshotChange {
  operation: SnapshotSummary['operation'];
  /** Branch the snapshot is committed to. */
  branch?: string;
  /** Files added (already written), all in `specId`. */
  added: DataFile[];
  specId?: number;
  /** Live files this commit removes from the base (overwrite, delete); evaluated on every attempt's base. */
  removes?: (file: DataFile, specId: number) => boolean;
  /** Extra summary properties (e.g. floe's run ids). */
  summary?: Record<string, string>;
}

/** Builds a snapshot and its manifests; one instance per logical commit, reused across retries. */
export class SnapshotProducer {
  readonly snapshotId = newSnapshotId();
  /** Files written by each attempt (manifests rewritten or merged for that base, and its manifest list). */
  private readonly attempts: string[][] = [];
  private addedManifest?: ManifestFile;
  private attempt = 0;

  constructor(
    private readonly io: FileIO,
    private readonly change: SnapshotChange,
  ) {}

  /** The change against `base` (the table as just loaded from the catalog). */
  async produce(base: Table): Promise<TableChange> {
    this.attempt++;
    const written: string[] = [];
    this.attempts.push(written);
    const md = base.metadata;
    const branch = this.change.branch ?? 'main';
    if (branch !== 'main' && !md.refs[branch]) {
      throw new FloeError('REF_NOT_FOUND', `no branch named '${branch}': create it first`, { context: { ref: branch } });
    }
    if (md.refs[branch]?.type === 'tag') {
      throw new FloeError('INVALID_ARGUMENT', `'${branch}' is a tag: commits go to branches`, { context: { ref: branch } });
    }
    const parentId = md.refs[branch]?.['snapshot-id'];
    const parent = parentId === undefined ? undefined : md.snapshots.find((s) => s['snapshot-id'] === parentId);
    // v1 tables have no sequence numbers (spec: "Sequence Numbers").
    const seq = md['format-version'] === 1 ? 0n : md['last-sequence-number'] + 1n;
    const schema = currentSchema(md);
    const specId = this.change.specId ?? md['default-spec-id'];

    if (!this.addedManifest && this.change.added.length > 0) {
      // ADDED entries leave sequence numbers null: they inherit the list entry's (spec: inheritance), so this
      // manifest stays valid on every retry whatever sequence number the commit finally gets.
      const entries: ManifestEntry[] = this.change.added.map((f) => ({
        status: EntryStatus.ADDED,
        snapshot_id: this.snapshotId,
        sequence_number: null,
        file_sequence_number: null,
        data_file: f,
      }));
      const content = this.change.added.every((f) => f.content === 0) ? 'data' : 'deletes';
      this.addedManifest = await writeManifestFile(this.io, md, specById(md, specId), schema, entries, content, this.snapshotId);
    }

    const kept: ManifestFile[] = [];
    const removedFiles: DataFile[] = [];
    const changedPartitions = new Set<string>();
    let replaced = 0;
    let created = this.addedManifest ? 1 : 0;
    let processed = 0;
    if (parent) {
      for (const m of await snapshotManifestFiles(base, parent)) {
        const removes = this.change.removes;
        if (!removes || m.content !== 0) {
          kept.push(m);
          continue;
        }
        const loaded = await loadManifest(base, m);
        processed += loaded.entries.length;
        const live = loaded.entries.filter((e) => e.status !== EntryStatus.DELETED);
        const gone = live.filter((e) => removes(e.data_file, loaded.manifest.partition_spec_id));
        if (gone.length === 0) {
          kept.push(m);
          continue;
        }
        // A manifest losing files is rewritten: the removed entries become DELETED in this snapshot, the rest
        // EXISTING with their sequence numbers written out (only ADDED entries may inherit them).
        const entries: ManifestEntry[] = live.map((e) => ({
          ...e,
          status: gone.includes(e) ? EntryStatus.DELETED : EntryStatus.EXISTING,
          snapshot_id: gone.includes(e) ? this.snapshotId : e.snapshot_id,
        }));
        for (const e of gone) {
          removedFiles.push(e.data_file);
          changedPartitions.add(partitionKey(loaded.manifest.partition_spec_id, e.data_file.partition));
        }
        const rewritten = await writeManifestFile(
          this.io,
          md,
          specById(md, loaded.manifest.partition_spec_id),
          schema,
          entries,
          'data',
          this.snapshotId,
        );
        written.push(rewritten.manifest_path);
        kept.push(rewritten);
        replaced++;
        created++;
      }
    }
    for (const f of this.change.added) changedPartitions.add(partitionKey(specId, f.partition));

    const merged = await mergeManifests(base, this.io, md, kept, this.snapshotId);
    written.push(...merged.written);
    replaced += merged.replaced;
    created += merged.created;
    processed += merged.processed;

    const manifests: ManifestFile[] = [];
    if (this.addedManifest) manifests.push({ ...this.addedManifest, sequence_number: seq, min_sequence_number: seq });
    for (const m of merged.manifests) {
      // Manifests written by this commit carry its sequence number; carried ones keep theirs.
      manifests.push(m.sequence_number < 0n ? { ...m, sequence_number: seq, min_sequence_number: m.min_sequence_number < 0n ? seq : m.min_sequence_number } : m);
    }

    const listPath = joinPath(metadataDir(md), `snap-${this.snapshotId}-${this.attempt}-${randomUUID()}.avro`);
    const firstRowId = md['format-version'] >= 3 ? (md['next-row-id'] ?? 0n) : undefined;
    await this.io.write(
      listPath,
      writeManifestList(manifests, {
        'snapshot-id': this.snapshotId,
        'parent-snapshot-id': parent?.['snapshot-id'] ?? null,
        'sequence-number': seq,
        'format-version': Math.max(2, md['format-version']),
        ...(firstRowId !== undefined ? { 'first-row-id': firstRowId } : {}),
      }),
    );
    written.push(listPath);

    const summary = buildSummary(
      this.change.operation,
      {
        addedFiles: this.change.added,
        removedFiles,
        changedPartitions: changedPartitions.size,
        manifestsCreated: created,
        manifestsKept: manifests.length - created,
        manifestsReplaced: replaced,
        entriesProcessed: processed,
      },
      parent?.summary,
      this.change.summary,
    );
    const snapshot: Snapshot = {
      'snapshot-id': this.snapshotId,
      'sequence-number': seq,
      'timestamp-ms': BigInt(Date.now()),
      'manifest-list': listPath,
      summary,
      'schema-id': schema['schema-id'],
    };
    if (parent) snapshot['parent-snapshot-id'] = parent['snapshot-id'];
    if (firstRowId !== undefined) {
      snapshot['first-row-id'] = firstRowId;
      snapshot['added-rows'] = this.change.added.filter((f) => f.content === 0).reduce((s, f) => s + f.record_count, 0n);
    }
    return {
      updates: [
        { action: 'add-snapshot', snapshot },
        { action: 'set-snapshot-ref', 'ref-name': branch, type: 'branch', 'snapshot-id': this.snapshotId },
      ],
      requirements: [
        { type: 'assert-table-uuid', uuid: md['table-uuid'] },
        { type: 'assert-ref-snapshot-id', ref: branch, 'snapshot-id': parent?.['snapshot-id'] ?? null },
      ],
    };
  }

  /** After the last attempt landed: the files earlier attempts wrote, which nothing references. */
  filesOfFailedAttempts(): string[] {
    return this.attempts.slice(0, -1).flat();
  }

  /** Every file this producer wrote, for deleting when the commit surely did not land. */
  allFiles(): string[] {
    return [...(this.addedManifest ? [this.addedManifest.manifest_path] : []), ...this.attempts.flat()];
  }
}
