/**
 * Reading a table's metadata file and relocating the paths it records. Metadata written on another machine
 * names locations there (`s3a://bucket/...`, `data/persistent/...`); a reader that finds the table elsewhere maps
 * each recorded path under the table's real location (DuckDB calls this `allow_moved_paths`).
 */
import { gunzipSync } from 'node:zlib';
import { FloeError, isFloeError } from '../../errors.js';
import type { FileIO } from '../io/file-io.js';
import { joinPath, parentPath } from '../io/file-io.js';
import { parseTableMetadata } from '../spec/table-metadata.js';
import type { TableMetadata } from '../spec/table-metadata.js';

/**
 * Parsed metadata by file location and size. Metadata files are written once under unique names (spec: "Commit
 * Conflict Resolution and Retry"), so a parse can be reused; the size guards against a file replaced in place by
 * hand. Entries are shared: callers must treat TableMetadata as immutable (floe never changes it in place).
 */
const METADATA_CACHE = new Map<string, { size: number; metadata: TableMetadata }>();
const METADATA_CACHE_MAX = 64;

/** Remembers metadata just written to `path` (its serialized size `size`), so the next read need not parse it. */
export function rememberTableMetadata(path: string, size: number, metadata: TableMetadata): void {
  METADATA_CACHE.delete(path);
  METADATA_CACHE.set(path, { size, metadata });
  if (METADATA_CACHE.size > METADATA_CACHE_MAX) METADATA_CACHE.delete(METADATA_CACHE.keys().next().value as string);
}

/** Reads and parses a metadata file, gzip or plain (detected by content, as Java does for `.gz.metadata.json`). */
export async function readTableMetadataFile(io: FileIO, path: string): Promise<TableMetadata> {
  const cached = METADATA_CACHE.get(path);
  if (cached && (await io.size(path).catch(() => -1)) === cached.size) return cached.metadata;
  return parseTableMetadataFile(io, path);
}

async function parseTableMetadataFile(io: FileIO, path: string): Promise<TableMetadata> {
  let bytes = await io.read(path);
  const size = bytes.length;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (cause) {
      throw new FloeError('METADATA_INVALID', `${path}: corrupt gzip metadata`, { cause, context: { path } });
    }
  }
  try {
    const metadata = parseTableMetadata(new TextDecoder().decode(bytes));
    rememberTableMetadata(path, size, metadata);
    return metadata;
  } catch (err) {
    if (isFloeError(err)) {
      err.message = `${path}: ${err.message}`;
      err.context.path = path;
    }
    throw err;
  }
}

/** The table directory that holds a metadata file (`<table>/metadata/v1.metadata.json` → `<table>`). */
export function tableLocationOf(metadataPath: string): string {
  const dir = parentPath(metadataPath);
  return dir.endsWith('/metadata') || dir === 'metadata' ? parentPath(dir) : dir;
}

function normalize(p: string): string {
  return p.replace(/^file:(\/\/)?/, '').replace(/^\.\//, '').replace(/\/+$/, '');
}

/**
 * Maps paths recorded in metadata to paths that can be read here. With relocation off, paths are used as
 * written. With it on, a path under the recorded table location is re-rooted under the real one; other paths
 * are re-rooted at their last `/metadata/` or `/data/` segment.
 */
export function makeRelocator(recordedLocation: string, realLocation: string, relocate: boolean): (p: string) => string {
  if (!relocate) return (p) => p;
  const rec = normalize(recordedLocation);
  const recNoScheme = rec.replace(/^[a-z0-9+.-]+:\/\/[^/]*/i, '');
  // The tree the table was moved with: strip the trailing path segments the recorded and real locations share
  // (`a/b/wh/db/t` and `/x/wh/db/t` share `wh/db/t`), so files outside the table directory but inside the same moved
  // tree (added files, custom data paths) relocate too.
  const recSegs = recNoScheme.split('/');
  const realSegs = normalize(realLocation).split('/');
  let common = 0;
  while (
    common < recSegs.length - 1 &&
    common < realSegs.length - 1 &&
    recSegs[recSegs.length - 1 - common] === realSegs[realSegs.length - 1 - common]
  ) {
    common++;
  }
  const recRoot = common > 0 ? recSegs.slice(0, recSegs.length - common).join('/') : '';
  const realRoot = common > 0 ? realSegs.slice(0, realSegs.length - common).join('/') || '/' : '';
  return (p: string) => {
    const n = normalize(p);
    for (const prefix of [rec, recNoScheme]) {
      if (prefix && (n === prefix || n.startsWith(`${prefix}/`))) return joinPath(realLocation, n.slice(prefix.length));
    }
    const nNoScheme = n.replace(/^[a-z0-9+.-]+:\/\/[^/]*/i, '');
    if (recRoot && nNoScheme.startsWith(`${recRoot}/`)) return joinPath(realRoot, nNoScheme.slice(recRoot.length));
    const lower = n.toLowerCase();
    const mi = lower.lastIndexOf('/metadata/');
    if (mi >= 0) return joinPath(realLocation, n.slice(mi + 1));
    if (lower.startsWith('metadata/')) return joinPath(realLocation, n);
    const di = lower.lastIndexOf('/data/');
    if (di >= 0) return joinPath(realLocation, n.slice(di + 1));
    if (lower.startsWith('data/')) return joinPath(realLocation, n);
    // Outside the moved tree (another bucket, say): use the path as written; reading it reports what is missing.
    return p;
  };
}
