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
import type { Schema } from '../spec/schema.js';
import type { TableChange } from '../spec/table-update.js';
import { newSnapshotId } from './create-table-from-files.js';
import { partitionKey } from './delete-index.js';
import { mergeManifests } from './manifest-merge.js';
import { metadataDir, writeManifestFile } from './manifest-writing.js';
import type { Table } from './table.js';
import { loadManifest, snapshotManifestFiles } from './snapshot-manifests.js';

/** A file a commit adds, with the partition spec it was written for. */
export interface AddedFile {
  file: DataFile;
  specId: number;
  /**
   * An explicit data sequence number (a file re-added by a restore keeps its original one, so equality deletes
   * keep applying to it exactly as before; spec: "Sequence Numbers"). Unset: inherited from the new snapshot.
   */
  dataSequenceNumber?: bigint;
}

/** What a commit changes in the table's files. */
export interface SnapshotChange {
  operation: SnapshotSummary['operation'];
  /** Branch the snapshot is committed to. */
  branch?: string;
  /** Data files added (already written), all in `specId`. */
  added: DataFile[];
  specId?: number;
  /**
   * Further files of any content (position deletes, equality deletes, deletion vectors, data) and any spec:
   * delete files carry the spec and partition of the data they delete from, which may be an older spec.
   */
  addedFiles?: AddedFile[];
  /**
   * Live files this commit removes from the base (overwrite, delete, rewrite): evaluated on every attempt's base,
   * for data files and delete files alike. A delete file that references a removed data file (a deletion vector
   * or a file-scoped position delete file) is removed with it: nothing else could ever apply it.
   */
  removes?: (file: DataFile, specId: number) => boolean;
  /** Extra summary properties (e.g. floe's run ids). */
  summary?: Record<string, string>;
  /**
   * Called on every attempt with the base the change is about to be built on; throws to abort the commit (an
   * operation's conflict validation against commits made since it started, as Iceberg's RowDelta and
   * OverwriteFiles validate). What it throws propagates unchanged (no retry here).
   */
  validate?: (base: Table) => Promise<void>;
}

/** Builds a snapshot and its manifests; one instance per logical commit, reused across retries. */
export class SnapshotProducer {
  readonly snapshotId = newSnapshotId();
  /** Files written by each attempt (manifests rewritten or merged for that base, and its manifest list). */
  private readonly attempts: string[][] = [];
  private addedManifests?: ManifestFile[];
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

    await this.change.validate?.(base);
    const addedFiles = this.addedFiles(specId);
    // New rows must fit the schema current at commit: a column made required since the files were written (after a
    // check of the rows then in the table) must not receive their nulls. Re-added files (restores) keep the schema
    // of the version they come from. Top-level columns only: a nested leaf's null count includes null parents.
    const newData = addedFiles.filter((a) => a.file.content === 0 && a.dataSequenceNumber === undefined).map((a) => a.file);
    checkRequiredColumns(newData, schema);
    // Written once, on the first attempt: ADDED entries without an explicit sequence number inherit the list
    // entry's (spec: "Sequence Number Inheritance"), so these manifests stay valid on every retry.
    this.addedManifests ??= await this.writeAddedManifests(md, schema, addedFiles);

    const kept: ManifestFile[] = [];
    const removedFiles: DataFile[] = [];
    const changedPartitions = new Set<string>();
    let replaced = 0;
    let created = this.addedManifests.length;
    let processed = 0;
    if (parent) {
      const removes = this.change.removes;
      const all = await snapshotManifestFiles(base, parent);
      // Data manifests first: which data files go decides which deletes referencing them go too.
      const goneData = new Set<string>();
      const ordered = [...all.filter((m) => m.content === 0), ...all.filter((m) => m.content !== 0)];
      const position = new Map(all.map((m, i) => [m, i] as const));
      const out: Array<{ at: number; manifest: ManifestFile }> = [];
      for (const m of ordered) {
        const at = position.get(m)!;
        if (!removes && (m.content === 0 || goneData.size === 0)) {
          out.push({ at, manifest: m });
          continue;
        }
        const loaded = await loadManifest(base, m);
        processed += loaded.entries.length;
        const live = loaded.entries.filter((e) => e.status !== EntryStatus.DELETED);
        const specOf = loaded.manifest.partition_spec_id;
        const isGone = (f: DataFile): boolean =>
          (removes?.(f, specOf) ?? false) || (f.content !== 0 && f.referenced_data_file != null && goneData.has(f.referenced_data_file));
        const gone = new Set(live.filter((e) => isGone(e.data_file)));
        if (gone.size === 0) {
          out.push({ at, manifest: m });
          continue;
        }
        // A manifest losing files is rewritten: the removed entries become DELETED in this snapshot, the rest
        // EXISTING with their sequence numbers written out (only ADDED entries may inherit them).
        const entries: ManifestEntry[] = live.map((e) => ({
          ...e,
          status: gone.has(e) ? EntryStatus.DELETED : EntryStatus.EXISTING,
          snapshot_id: gone.has(e) ? this.snapshotId : e.snapshot_id,
        }));
        for (const e of gone) {
          removedFiles.push(e.data_file);
          if (e.data_file.content === 0) goneData.add(e.data_file.file_path);
          changedPartitions.add(partitionKey(specOf, e.data_file.partition));
        }
        const rewritten = await writeManifestFile(
          this.io,
          md,
          specById(md, specOf),
          schema,
          entries,
          m.content === 0 ? 'data' : 'deletes',
          this.snapshotId,
        );
        written.push(rewritten.manifest_path);
        out.push({ at, manifest: rewritten });
        replaced++;
        created++;
      }
      // Keep the base's manifest order (newest first) so merging packs recent manifests together.
      kept.push(...out.sort((a, b) => a.at - b.at).map((o) => o.manifest));
    }
    for (const a of addedFiles) changedPartitions.add(partitionKey(a.specId, a.file.partition));

    const merged = await mergeManifests(base, this.io, md, kept, this.snapshotId);
    written.push(...merged.written);
    replaced += merged.replaced;
    created += merged.created;
    processed += merged.processed;

    const manifests: ManifestFile[] = [];
    for (const m of this.addedManifests) {
      // Explicit (older) data sequence numbers lower the manifest's minimum (spec: "Manifest Lists").
      const min = m.min_sequence_number >= 0n && m.min_sequence_number < seq ? m.min_sequence_number : seq;
      manifests.push({ ...m, sequence_number: seq, min_sequence_number: min });
    }
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
        addedFiles: addedFiles.map((a) => a.file),
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
      snapshot['added-rows'] = addedFiles.filter((a) => a.file.content === 0).reduce((s, a) => s + a.file.record_count, 0n);
    }
    return {
      updates: [
        { action: 'add-snapshot', snapshot },
        { action: 'set-snapshot-ref', 'ref-name': branch, type: 'branch', 'snapshot-id': this.snapshotId },
      ],
      requirements: [
        { type: 'assert-table-uuid', uuid: md['table-uuid'] },
        { type: 'assert-ref-snapshot-id', ref: branch, 'snapshot-id': parent?.['snapshot-id'] ?? null },
        // New rows were checked against this schema: a schema change committed meanwhile makes the commit retry
        // and check them again.
        ...(newData.length > 0 ? [{ type: 'assert-current-schema-id' as const, 'current-schema-id': md['current-schema-id'] }] : []),
      ],
    };
  }

  /** After the last attempt landed: the files earlier attempts wrote, which nothing references. */
  filesOfFailedAttempts(): string[] {
    return this.attempts.slice(0, -1).flat();
  }

  /** Every file this producer wrote, for deleting when the commit surely did not land. */
  allFiles(): string[] {
    return [...(this.addedManifests ?? []).map((m) => m.manifest_path), ...this.attempts.flat()];
  }

  /** Every file the change adds, each with its spec. */
  private addedFiles(specId: number): AddedFile[] {
    return [...this.change.added.map((file) => ({ file, specId })), ...(this.change.addedFiles ?? [])];
  }

  /** One manifest per (data or deletes, spec) group of the added files. */
  private async writeAddedManifests(md: TableMetadata, schema: Schema, files: AddedFile[]): Promise<ManifestFile[]> {
    const groups = new Map<string, AddedFile[]>();
    for (const a of files) {
      const key = `${a.file.content === 0 ? 'data' : 'deletes'}:${a.specId}`;
      const g = groups.get(key);
      if (g) g.push(a);
      else groups.set(key, [a]);
    }
    const out: ManifestFile[] = [];
    for (const [key, group] of groups) {
      const entries: ManifestEntry[] = group.map((a) => ({
        status: EntryStatus.ADDED,
        snapshot_id: this.snapshotId,
        sequence_number: a.dataSequenceNumber ?? null,
        file_sequence_number: null,
        data_file: a.file,
      }));
      const content = key.startsWith('data') ? 'data' : 'deletes';
      out.push(await writeManifestFile(this.io, md, specById(md, group[0].specId), schema, entries, content, this.snapshotId));
    }
    return out;
  }
}

/**
 * Refuses data files whose metrics count nulls in a required top-level column of `schema` (SCHEMA_MISMATCH, not
 * retryable). Files without the metric are not judged: the writer checked them against the schema it wrote with.
 */
function checkRequiredColumns(files: DataFile[], schema: Schema): void {
  const required = schema.fields.filter((f) => f.required);
  if (required.length === 0) return;
  for (const file of files) {
    for (const f of required) {
      const nulls = file.null_value_counts?.get(f.id);
      if (nulls !== undefined && nulls > 0n) {
        throw new FloeError('SCHEMA_MISMATCH', `column '${f.name}' is required now, and ${nulls} new row(s) of ${file.file_path} are null there`, {
          context: { column: f.name, file: file.file_path, nulls: nulls.toString() },
        });
      }
    }
  }
}
