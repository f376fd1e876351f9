/**
 * In-memory FileIO for tests and scratch work. Directories are implied by file paths.
 */
import { FloeError } from '../../errors.js';
import type { FileIO } from './file-io.js';

/** FileIO keeping files in a Map. */
export class MemoryFileIO implements FileIO {
  private readonly files = new Map<string, Uint8Array>();

  async read(path: string): Promise<Uint8Array> {
    const f = this.files.get(path);
    if (!f) throw new FloeError('NOT_FOUND', `file not found: ${path}`, { context: { path } });
    return f;
  }

  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    return (await this.read(path)).subarray(offset, offset + length);
  }

  async size(path: string): Promise<number> {
    return (await this.read(path)).length;
  }

  async exists(path: string): Promise<boolean> {
    return this.files.has(path);
  }

  async list(dir: string): Promise<string[]> {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    const names = new Set<string>();
    for (const k of this.files.keys()) {
      if (k.startsWith(prefix)) names.add(k.slice(prefix.length).split('/')[0]);
    }
    if (names.size === 0) throw new FloeError('NOT_FOUND', `directory not found: ${dir}`, { context: { path: dir } });
    return [...names];
  }

  async write(path: string, data: Uint8Array): Promise<void> {
    this.files.set(path, new Uint8Array(data));
  }

  async writeIfAbsent(path: string, data: Uint8Array): Promise<boolean> {
    if (this.files.has(path)) return false;
    this.files.set(path, new Uint8Array(data));
    return true;
  }

  async delete(path: string): Promise<void> {
    this.files.delete(path);
  }
}
