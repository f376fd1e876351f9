/**
 * A loaded table: its metadata, where it lives, and how to read the files its metadata names.
 */
import type { FileIO } from '../io/file-io.js';
import type { TableMetadata } from '../spec/table-metadata.js';
import type { Snapshot } from '../spec/snapshot.js';
import { currentSnapshot, snapshotAsOf, snapshotById, snapshotByRef } from '../spec/table-metadata.js';
import { resolveMetadataLocation, type MetadataLocationOptions } from './metadata-location.js';
import { makeRelocator, readTableMetadataFile, tableLocationOf } from './table-files.js';

/** A table opened for reading. */
export interface Table {
  io: FileIO;
  /** The metadata file this view of the table was read from. */
  metadataLocation: string;
  metadata: TableMetadata;
  /** Where the table really is (the metadata file's table directory). */
  location: string;
  /** Maps a path recorded in metadata to a readable path. */
  resolvePath: (recorded: string) => string;
}

/** Options of {@link openTable}. */
export interface OpenTableOptions extends MetadataLocationOptions {
  /**
   * Re-root recorded paths under the real table location. `auto` (default) relocates when the recorded location
   * is not where the table was found; `false` uses paths as written (DuckDB's default for `iceberg_scan`).
   */
  allowMovedPaths?: boolean | 'auto';
}

/** Opens a table from a table directory or a metadata file path. */
export async function openTable(io: FileIO, location: string, opts: OpenTableOptions = {}): Promise<Table> {
  const metadataLocation = await resolveMetadataLocation(io, location, opts);
  const metadata = await readTableMetadataFile(io, metadataLocation);
  const real = tableLocationOf(metadataLocation);
  let relocate: boolean;
  if (opts.allowMovedPaths === undefined || opts.allowMovedPaths === 'auto') {
    const norm = (p: string) => p.replace(/^file:(\/\/)?/, '').replace(/^\.\//, '').replace(/\/+$/, '');
    relocate = norm(metadata.location) !== norm(real) && !(await io.exists(joinMeta(metadata.location)));
  } else {
    relocate = opts.allowMovedPaths;
  }
  return { io, metadataLocation, metadata, location: real, resolvePath: makeRelocator(metadata.location, real, relocate) };
}

function joinMeta(loc: string): string {
  return `${loc.replace(/\/+$/, '')}/metadata`;
}

/** Which snapshot to read. At most one of the fields may be set; none means the current snapshot. */
export interface SnapshotSelector {
  snapshotId?: bigint;
  /** Read the table as it was at this time (ms since epoch). */
  asOfTimestampMs?: bigint;
  /** A branch or tag name. */
  ref?: string;
}

/** Picks a snapshot; `undefined` for a table without snapshots. Throws `SNAPSHOT_NOT_FOUND` / `REF_NOT_FOUND`. */
export function selectSnapshot(metadata: TableMetadata, sel: SnapshotSelector = {}): Snapshot | undefined {
  if (sel.snapshotId !== undefined) return snapshotById(metadata, sel.snapshotId);
  if (sel.ref !== undefined) return snapshotByRef(metadata, sel.ref);
  if (sel.asOfTimestampMs !== undefined) return snapshotAsOf(metadata, sel.asOfTimestampMs);
  return currentSnapshot(metadata);
}
