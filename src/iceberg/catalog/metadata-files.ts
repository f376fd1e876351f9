/**
 * Table metadata files as metastore-style catalogs keep them (spec "Metastore Tables"): every commit writes a new,
 * never-overwritten `<V>-<uuid>.metadata.json` next to the old ones, and the catalog then swaps its pointer from the
 * old file to the new one atomically. This module is the part of that commit every such catalog shares; all I/O
 * goes through {@link FileIO}.
 */
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { FloeError } from '../../errors.js';
import type { FileIO } from '../io/file-io.js';
import { baseName, joinPath } from '../io/file-io.js';
import {
  appendMetadataLog,
  applyUpdatesDetailed,
  checkRequirements,
  metadataFromUpdates,
} from '../spec/apply-updates.js';
import { serializeTableMetadata, type TableMetadata } from '../spec/table-metadata.js';
import type { TableRequirement, TableUpdate } from '../spec/table-update.js';
import { metadataFileVersion } from '../table/metadata-location.js';

/** Reads and parses a metadata file, gzip or plain (detected by content). Same as `readTableMetadataFile`. */
export { readTableMetadataFile as readMetadataFile } from '../table/table-files.js';
import { rememberTableMetadata } from '../table/table-files.js';

/** Table property: directory for metadata files instead of `<location>/metadata` (Java `TableProperties`). */
export const WRITE_METADATA_PATH = 'write.metadata.path';
/** Table property: `none` (default) or `gzip` for metadata files (Java `TableProperties`). */
export const METADATA_COMPRESSION_CODEC = 'write.metadata.compression-codec';
/** Table property: delete metadata files that drop out of the metadata log after a commit (default false). */
export const METADATA_DELETE_AFTER_COMMIT = 'write.metadata.delete-after-commit.enabled';

/** A table's metadata as a catalog points to it. */
export interface MetadataPointer {
  metadata: TableMetadata;
  metadataLocation: string;
}

/** What a commit asks: requirements on the current metadata, then updates. */
export interface MetadataChange {
  requirements: TableRequirement[];
  updates: TableUpdate[];
}

/**
 * Where the next metadata file of a table goes: `<dir>/<NNNNN>-<random uuid>.metadata.json` (spec "Metastore
 * Tables"), `<dir>` being the `write.metadata.path` property or `<location>/metadata`. NNNNN is the version of
 * `previousLocation` plus one, zero-padded to five digits like Java's `%05d` (`00003-….metadata.json` and
 * `v3.metadata.json` both give 00004; no previous file or a name without a version gives 00000). With
 * `write.metadata.compression-codec` = gzip the name ends `.gz.metadata.json`, as Java names it. Throws
 * `UNSUPPORTED` for another codec.
 */
export function newMetadataLocation(metadata: TableMetadata, previousLocation?: string): string {
  const custom = metadata.properties[WRITE_METADATA_PATH];
  const dir =
    custom !== undefined && custom !== '' ? custom.replace(/\/+$/, '') : joinPath(metadata.location, 'metadata');
  const previous = previousLocation === undefined ? undefined : metadataFileVersion(baseName(previousLocation));
  const version = String(previous === undefined ? 0 : previous + 1).padStart(5, '0');
  const suffix = gzipMetadata(metadata) ? '.gz.metadata.json' : '.metadata.json';
  return joinPath(dir, `${version}-${randomUUID()}${suffix}`);
}

/**
 * Whether a table's metadata files are written gzip-compressed: its `write.metadata.compression-codec` is `gzip`
 * (case-insensitive; spec "Table Metadata": a metadata JSON file may be compressed with GZIP). `none` or unset:
 * plain JSON. Another codec is `UNSUPPORTED`, so a commit asking for one fails before writing anything.
 */
export function gzipMetadata(metadata: TableMetadata): boolean {
  const codec = (metadata.properties[METADATA_COMPRESSION_CODEC] ?? 'none').trim().toLowerCase();
  if (codec === 'none' || codec === '') return false;
  if (codec === 'gzip') return true;
  throw new FloeError('UNSUPPORTED', `unsupported metadata compression codec ${JSON.stringify(codec)} (none, gzip)`, {
    context: { property: METADATA_COMPRESSION_CODEC, value: codec },
  });
}

/** True for a metadata file name that says gzip (`….gz.metadata.json`, or the older `….metadata.json.gz`). */
export function isGzipMetadataFile(location: string): boolean {
  return location.endsWith('.gz.metadata.json') || location.endsWith('.metadata.json.gz');
}

/**
 * Writes `metadata` as a new file at `location`, gzip-compressed when the name says so. Never overwrites: when the
 * name is taken (another writer chose it), throws `COMMIT_CONFLICT` with `retryable: true`, as the file of a
 * concurrent commit must not be clobbered.
 */
export async function writeMetadataFile(io: FileIO, location: string, metadata: TableMetadata): Promise<void> {
  let bytes: Uint8Array = new TextEncoder().encode(serializeTableMetadata(metadata));
  if (isGzipMetadataFile(location)) bytes = gzipSync(bytes);
  if (!(await io.writeIfAbsent(location, bytes))) {
    throw new FloeError('COMMIT_CONFLICT', `metadata file already exists: ${location}`, {
      retryable: true,
      context: { path: location },
    });
  }
  // The next load of this file (the commit's response, the next writer's base) need not parse it again.
  rememberTableMetadata(location, bytes.length, metadata);
}

/** Options of {@link commitMetadataChange}. */
export interface CommitMetadataOptions {
  /** Commit time (`last-updated-ms`); the clock by default. */
  nowMs?: bigint;
}

/**
 * The shared part of a metadata-file catalog's commit (spec "Metastore Tables", steps 1–2):
 *
 * 1. checks `change.requirements` against `current` (`undefined`: the table does not exist yet);
 * 2. applies `change.updates` to the current metadata and records the current file in the metadata log; or, when
 *    creating, builds the metadata from the updates alone (`metadataFromUpdates`);
 * 3. writes the result to a new file ({@link newMetadataLocation}, {@link writeMetadataFile}) and returns it.
 *
 * The catalog then swaps its pointer from `current.metadataLocation` to the returned location atomically; if the
 * swap loses it deletes the returned file and throws `COMMIT_CONFLICT`. When the updates change nothing, `current` is
 * returned as is and nothing is written: the catalog sees the same location and has nothing to swap.
 *
 * Errors: `COMMIT_CONFLICT` (retryable) from a failed requirement, a stale snapshot or a taken file name;
 * `TABLE_NOT_FOUND` when `current` is undefined and the requirements do not include `assert-create`; the errors of
 * `applyUpdates`; I/O errors of `io`.
 */
export async function commitMetadataChange(
  io: FileIO,
  current: MetadataPointer | undefined,
  change: MetadataChange,
  options: CommitMetadataOptions = {},
): Promise<MetadataPointer> {
  checkRequirements(current?.metadata, change.requirements);
  let metadata: TableMetadata;
  if (current === undefined) {
    if (!change.requirements.some((r) => r.type === 'assert-create')) {
      throw new FloeError('TABLE_NOT_FOUND', 'the table does not exist, and the commit does not create it', {
        context: { requirement: 'assert-create' },
      });
    }
    metadata = metadataFromUpdates(change.updates, options.nowMs);
  } else {
    const applied = applyUpdatesDetailed(current.metadata, change.updates, options.nowMs);
    if (!applied.changed) return current;
    metadata = appendMetadataLog(current.metadata, current.metadataLocation, applied.metadata);
  }
  const metadataLocation = newMetadataLocation(metadata, current?.metadataLocation);
  await writeMetadataFile(io, metadataLocation, metadata);
  return { metadata, metadataLocation };
}

/**
 * Metadata files a catalog may delete after successfully committing `committed` over `base`: those that dropped out
 * of the metadata log, when `write.metadata.delete-after-commit.enabled` is true (as Java's
 * `deleteRemovedMetadataFiles`); none otherwise. Deleting them is best effort: a failure leaves only garbage.
 */
export function metadataFilesToDelete(base: TableMetadata, committed: TableMetadata): string[] {
  if ((committed.properties[METADATA_DELETE_AFTER_COMMIT] ?? 'false').trim().toLowerCase() !== 'true') return [];
  const kept = new Set(committed['metadata-log'].map((e) => e['metadata-file']));
  return base['metadata-log'].map((e) => e['metadata-file']).filter((f) => !kept.has(f));
}
