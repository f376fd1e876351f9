/**
 * Data files on object stores. DuckDB here has no httpfs (no extension downloads), so floe moves bytes through
 * its own FileIO: written files are produced locally by DuckDB and uploaded; files to read are downloaded once
 * into a per-process cache (Iceberg never rewrites a file in place, so a path's bytes never change).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { DataFile } from '../iceberg/avro/manifest.js';
import type { FileIO } from '../iceberg/io/file-io.js';
import { joinPath } from '../iceberg/io/file-io.js';
import { locationScheme } from '../iceberg/io/file-io-for.js';
import { writeDataFiles, type WriteDataFilesOptions, type WriteDataFilesResult } from './data-file-writer.js';
import type { Engine } from './duckdb-engine.js';

/** True for paths DuckDB can open directly (local paths and `file:` URIs). */
export function isLocalPath(path: string): boolean {
  const s = locationScheme(path);
  return s === undefined || s === 'file';
}

let cacheDir: string | undefined;

function cacheRoot(): string {
  if (!cacheDir) {
    cacheDir = join(tmpdir(), `floe-cache-${process.pid}`);
    mkdirSync(cacheDir, { recursive: true });
    const dir = cacheDir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return cacheDir;
}

/** A local copy of a remote file (downloaded once per process). */
export async function localCopy(io: FileIO, path: string): Promise<string> {
  const ext = /\.[a-z]+$/i.exec(path)?.[0] ?? '';
  const target = join(cacheRoot(), createHash('sha256').update(path).digest('hex') + ext);
  if (!existsSync(target)) {
    const tmp = `${target}.${process.hrtime.bigint()}.part`;
    await writeFile(tmp, await io.read(path));
    await rename(tmp, target);
  }
  return target;
}

/**
 * Writes data files to `opts.location`, which may be on an object store: DuckDB writes them to a local temporary
 * directory, then each is uploaded through `io` and its path in the result rewritten.
 */
export async function writeDataFilesTo(engine: Engine, io: FileIO, opts: WriteDataFilesOptions): Promise<WriteDataFilesResult> {
  if (isLocalPath(opts.location)) return writeDataFiles(engine, opts);
  const local = await mkdtemp(join(tmpdir(), 'floe-upload-'));
  try {
    const res = await writeDataFiles(engine, { ...opts, location: local });
    const uploaded: DataFile[] = [];
    try {
      for (const f of res.files) {
        const rel = relative(local, f.file_path.replace(/^file:(\/\/)?/, '')).split('\\').join('/');
        const target = joinPath(opts.location, rel);
        await io.write(target, await readFile(f.file_path.replace(/^file:(\/\/)?/, '')));
        uploaded.push({ ...f, file_path: target, file_size_in_bytes: BigInt((await stat(f.file_path.replace(/^file:(\/\/)?/, ''))).size) });
      }
    } catch (err) {
      await Promise.all(uploaded.map((f) => io.delete(f.file_path).catch(() => undefined)));
      throw err;
    }
    return { ...res, files: uploaded };
  } finally {
    await rm(local, { recursive: true, force: true });
  }
}
