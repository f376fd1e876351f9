/**
 * Picks the FileIO that owns a location by its URI scheme, so callers holding a warehouse or table location
 * (from config or metadata) need not know which store it lives in.
 */
import { FloeError } from '../../errors.js';
import type { FileIO } from './file-io.js';
import { LocalFileIO } from './local-file-io.js';
import { MemoryFileIO } from './memory-file-io.js';
import { S3FileIO, S3_SCHEMES, type S3FileIOOptions } from './s3-file-io.js';

/** Per-store options for {@link createFileIO}. */
export interface CreateFileIOOptions {
  /** Used when the location is `s3://`, `s3a://` or `s3n://`. */
  s3?: S3FileIOOptions;
}

// One store for every `memory://` location of the process: a catalog and the tables it opens must see the same
// files, and they reach their FileIO through separate createFileIO calls.
let sharedMemory: MemoryFileIO | undefined;

/** The process-wide MemoryFileIO behind `memory://` locations. */
export function sharedMemoryFileIO(): MemoryFileIO {
  sharedMemory ??= new MemoryFileIO();
  return sharedMemory;
}

/** The URI scheme of a location, lower-cased, or undefined for a plain path (incl. Windows `C:\...` drives). */
export function locationScheme(location: string): string | undefined {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(location);
  if (!m || m[1].length === 1) return undefined;
  return m[1].toLowerCase();
}

/**
 * The FileIO for a location: `s3://` (and `s3a://`, `s3n://`) → {@link S3FileIO}, `file:` and plain paths →
 * {@link LocalFileIO}, `memory://` → the shared {@link MemoryFileIO}. Throws `UNSUPPORTED` for other schemes
 * and `CONFIG_INVALID` for invalid S3 options.
 */
export function createFileIO(location: string, options: CreateFileIOOptions = {}): FileIO {
  const scheme = locationScheme(location);
  if (scheme === undefined || scheme === 'file') return new LocalFileIO();
  if (S3_SCHEMES.includes(scheme)) return new S3FileIO(options.s3);
  if (scheme === 'memory') return sharedMemoryFileIO();
  throw new FloeError('UNSUPPORTED', `no FileIO for ${scheme}:// locations (supported: s3, file, memory)`, {
    context: { location, scheme },
  });
}
