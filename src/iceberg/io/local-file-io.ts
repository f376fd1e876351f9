/**
 * FileIO over the local file system. Accepts plain paths and `file:` URIs (`file:/x`, `file:///x`), the forms
 * Java, Spark and pyiceberg write for local tables.
 */
import { link, mkdir, open, readFile, readdir, rm, stat, writeFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import { FloeError } from '../../errors.js';
import type { FileIO } from './file-io.js';

/** Converts a `file:` URI or plain path to a local path. */
export function toLocalPath(path: string): string {
  if (path.startsWith('file://')) return decodeURIComponent(path.slice('file://'.length)) || '/';
  if (path.startsWith('file:')) return decodeURIComponent(path.slice('file:'.length));
  return path;
}

function wrap(err: unknown, path: string): never {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    throw new FloeError('NOT_FOUND', `file not found: ${path}`, { cause: err, context: { path } });
  }
  if (code === 'EISDIR') {
    throw new FloeError('INVALID_ARGUMENT', `expected a file but found a directory: ${path}`, { cause: err, context: { path } });
  }
  throw new FloeError('IO_ERROR', `cannot access ${path}: ${(err as Error).message}`, { cause: err, context: { path } });
}

/** Local file system FileIO. */
export class LocalFileIO implements FileIO {
  async read(path: string): Promise<Uint8Array> {
    try {
      return await readFile(toLocalPath(path));
    } catch (err) {
      wrap(err, path);
    }
  }

  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    let fh;
    try {
      fh = await open(toLocalPath(path), 'r');
    } catch (err) {
      wrap(err, path);
    }
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  async size(path: string): Promise<number> {
    try {
      return (await stat(toLocalPath(path))).size;
    } catch (err) {
      wrap(err, path);
    }
  }

  async exists(path: string): Promise<boolean> {
    try {
      await stat(toLocalPath(path));
      return true;
    } catch {
      return false;
    }
  }

  async list(dir: string): Promise<string[]> {
    try {
      return await readdir(toLocalPath(dir));
    } catch (err) {
      wrap(err, dir);
    }
  }

  async write(path: string, data: Uint8Array): Promise<void> {
    const p = toLocalPath(path);
    await mkdir(dirname(p), { recursive: true });
    // Write to a temporary name and rename, so readers never see a half-written file.
    const tmp = `${p}.${randomUUID()}.tmp`;
    try {
      await writeFile(tmp, data);
      await rename(tmp, p);
    } catch (err) {
      await rm(tmp, { force: true });
      wrap(err, path);
    }
  }

  async writeIfAbsent(path: string, data: Uint8Array): Promise<boolean> {
    const p = toLocalPath(path);
    await mkdir(dirname(p), { recursive: true });
    // Write a temporary file, then hard-link it into place: link fails if the name exists (the atomic
    // create-if-absent a file-system catalog commits with), and readers never see a half-written file.
    const tmp = `${p}.${randomUUID()}.tmp`;
    try {
      await writeFile(tmp, data);
      await link(tmp, p);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      wrap(err, path);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async delete(path: string): Promise<void> {
    await rm(toLocalPath(path), { force: true });
  }
}
