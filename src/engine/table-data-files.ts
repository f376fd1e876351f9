/**
 * Writing rows as data files of a table as it is now: its current schema, default partition spec and sort order,
 * data location, write properties and format version, through the table's FileIO. The one place every writer
 * (appends, overwrites, row-level rewrites, backfill windows, quarantines) derives those from the metadata.
 */
import type { FileIO } from '../iceberg/io/file-io.js';
import { currentSchema, defaultSpec, sortOrderById, type TableMetadata } from '../iceberg/spec/table-metadata.js';
import { dataDir } from '../iceberg/table/manifest-writing.js';
import type { WriteDataFilesResult } from './data-file-writer.js';
import type { Engine } from './duckdb-engine.js';
import { writeDataFilesTo } from './remote-files.js';

/** Writes the rows of `source` (a DuckDB relation) as data files of the table `metadata` describes. */
export function writeTableDataFiles(engine: Engine, io: FileIO, metadata: TableMetadata, source: string): Promise<WriteDataFilesResult> {
  return writeDataFilesTo(engine, io, {
    source,
    schema: currentSchema(metadata),
    spec: defaultSpec(metadata),
    sortOrder: sortOrderById(metadata, metadata['default-sort-order-id']),
    location: dataDir(metadata),
    properties: metadata.properties,
    fileIO: io,
    formatVersion: metadata['format-version'],
  });
}
