/**
 * Where delete files go and how they get there: DuckDB writes local files only (no httpfs here), so a delete file
 * for a table on an object store is written to a local temporary directory and uploaded through the table's FileIO,
 * as data files are (`remote-files.ts`). Shared by the position, equality and deletion-vector writers.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { FileIO } from '../iceberg/io/file-io.js';
import { joinPath } from '../iceberg/io/file-io.js';
import { toLocalPath } from '../iceberg/io/local-file-io.js';
import { isLocalPath } from './remote-files.js';

/** A delete file's final path and the local path DuckDB writes it to before {@link DeleteFileStaging.place}. */
export interface StagedDeleteFile {
  /** The path recorded in the manifest (under the table's data directory). */
  path: string;
  /** A local path DuckDB can write. */
  local: string;
}

/** Names delete files under a data directory and moves them into place (uploading to object stores). */
export class DeleteFileStaging {
  private tmp?: string;
  /** Final paths of the files placed so far, to delete when the operation fails. */
  readonly placed: string[] = [];

  constructor(
    private readonly io: FileIO,
    private readonly location: string,
  ) {}

  /** A new file name with `suffix` (e.g. `-deletes.parquet`), and where to write it locally. */
  async next(suffix: string): Promise<StagedDeleteFile> {
    const name = `${randomUUID()}${suffix}`;
    const path = joinPath(this.location, name);
    if (isLocalPath(this.location)) {
      const local = toLocalPath(path);
      await mkdir(dirname(local), { recursive: true });
      return { path, local };
    }
    this.tmp ??= await mkdtemp(join(tmpdir(), 'floe-deletes-'));
    return { path, local: join(this.tmp, name) };
  }

  /** Makes a written file visible at its final path (an upload for object stores); returns its size. */
  async place(file: StagedDeleteFile, bytes?: Uint8Array): Promise<bigint> {
    if (bytes) {
      await this.io.write(file.path, bytes);
    } else if (!isLocalPath(this.location)) {
      await this.io.write(file.path, await readFile(file.local));
    }
    this.placed.push(file.path);
    return BigInt(await this.io.size(file.path));
  }

  /** Removes temporary files (not placed ones). */
  async release(): Promise<void> {
    if (this.tmp) await rm(this.tmp, { recursive: true, force: true });
  }

  /** Deletes every placed file (the operation failed before committing). */
  async discard(): Promise<void> {
    await Promise.all(this.placed.map((p) => this.io.delete(p).catch(() => undefined)));
    this.placed.length = 0;
  }
}
