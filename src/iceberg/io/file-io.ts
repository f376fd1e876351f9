/**
 * FileIO: the one way the Iceberg layer touches storage (ARCHITECTURE.md: pure core, injected I/O). Paths are
 * the locations written in metadata (`file:/...`, plain paths, `s3://...`); each implementation says which it owns.
 */

/** Storage access used by table metadata, manifests and data-file bookkeeping. */
export interface FileIO {
  /** Reads a whole file. Throws `NOT_FOUND` when it does not exist. */
  read(path: string): Promise<Uint8Array>;
  /** Reads `length` bytes at `offset` (Puffin blobs, Parquet footers). */
  readRange(path: string, offset: number, length: number): Promise<Uint8Array>;
  /** Size of a file in bytes. Throws `NOT_FOUND` when it does not exist. */
  size(path: string): Promise<number>;
  /** True when the file exists. */
  exists(path: string): Promise<boolean>;
  /** Lists the files directly inside a directory (names only). Throws `NOT_FOUND` for a missing directory. */
  list(dir: string): Promise<string[]>;
  /** Writes (replacing) a file, creating parent directories as needed. */
  write(path: string, data: Uint8Array): Promise<void>;
  /** Creates a file only if absent; returns false when it already existed (atomic where the store allows). */
  writeIfAbsent(path: string, data: Uint8Array): Promise<boolean>;
  /** Deletes a file; a missing file is not an error. */
  delete(path: string): Promise<void>;
}

/** Joins a location and a relative path with exactly one `/`. */
export function joinPath(base: string, ...parts: string[]): string {
  let out = base;
  for (const p of parts) {
    if (!p) continue;
    out = out.endsWith('/') ? out + p.replace(/^\/+/, '') : `${out}/${p.replace(/^\/+/, '')}`;
  }
  return out;
}

/** The parent directory of a path (`a/b/c` → `a/b`). */
export function parentPath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const i = trimmed.lastIndexOf('/');
  return i <= 0 ? (i === 0 ? '/' : '.') : trimmed.slice(0, i);
}

/** The last segment of a path. */
export function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}
