/**
 * Finding a table's metadata file from a table location, the way engines that read tables without a catalog do:
 * an explicit `*.metadata.json` path; else `metadata/version-hint.text` naming the version; else, when allowed,
 * the newest metadata file in `metadata/` (spec: "File System Tables"). Option names and file-name formats
 * follow DuckDB's iceberg extension so `iceberg_scan(...)` parameters mean the same here.
 */
import { FloeError } from '../../errors.js';
import type { FileIO } from '../io/file-io.js';
import { joinPath } from '../io/file-io.js';

/** How to locate the metadata file. */
export interface MetadataLocationOptions {
  /** A version (`2`, `00003-uuid`), a hint file name ending in `.text`/`.txt`, or `?` to guess. */
  version?: string;
  /** Comma-separated formats with two `%s`: version, then compression suffix. */
  versionNameFormat?: string;
  /** `none` or `gzip` (suffix `.gz`). */
  metadataCompressionCodec?: string;
  /** Whether the newest metadata file may be chosen when there is no version hint. */
  allowGuessing?: boolean;
}

/** DuckDB's default `version_name_format`. */
export const DEFAULT_VERSION_NAME_FORMAT = 'v%s%s.metadata.json,%s%s.metadata.json';

function format(fmt: string, version: string, suffix: string): string {
  let i = 0;
  return fmt.replace(/%s/g, () => (i++ === 0 ? version : suffix));
}

/** The version number a metadata file name starts with (`v12.metadata.json` → 12, `00003-uuid...` → 3). */
export function metadataFileVersion(name: string): number | undefined {
  const m = /^v?(\d+)(?:[-.])/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** True for a file name that is a table metadata file (plain or gzip). */
export function isMetadataFileName(name: string): boolean {
  return /\.metadata\.json(\.gz)?$/.test(name) || /\.gz\.metadata\.json$/.test(name);
}

/**
 * Resolves the metadata file of the table at `location` (a table directory or a metadata file).
 * Throws `NOT_FOUND` when nothing matches and `INVALID_ARGUMENT` for bad options.
 */
export async function resolveMetadataLocation(
  io: FileIO,
  location: string,
  opts: MetadataLocationOptions = {},
): Promise<string> {
  const loc = location.replace(/\/+$/, '');
  if (loc.endsWith('.json') || loc.endsWith('.json.gz')) {
    if (!(await io.exists(loc))) {
      throw new FloeError('NOT_FOUND', `metadata file not found: ${loc}`, { context: { path: loc } });
    }
    return loc;
  }
  const codec = (opts.metadataCompressionCodec ?? 'none').toLowerCase();
  const suffix = codec === 'gzip' ? '.gz' : '';
  const fmt = opts.versionNameFormat ?? DEFAULT_VERSION_NAME_FORMAT;
  for (const f of fmt.split(',')) {
    if ((f.match(/%s/g) ?? []).length !== 2) {
      throw new FloeError('INVALID_ARGUMENT', `version_name_format must contain '%s' exactly twice: ${f}`);
    }
  }
  const metaDir = joinPath(loc, 'metadata');
  const tryVersion = async (version: string): Promise<string> => {
    const tried: string[] = [];
    for (const f of fmt.split(',')) {
      const p = joinPath(metaDir, format(f, version, suffix));
      tried.push(p);
      if (await io.exists(p)) return p;
    }
    throw new FloeError(
      'NOT_FOUND',
      `Iceberg metadata file not found for table version '${version}' using '${codec}' compression and format(s): '${fmt}', tried: ${tried.join(', ')}`,
      { context: { path: loc, version, tried } },
    );
  };
  const readHint = async (name: string): Promise<string> =>
    new TextDecoder().decode(await io.read(joinPath(metaDir, name))).trim();

  const version = opts.version;
  if (version !== undefined && version !== '?') {
    if (version.endsWith('.text') || version.endsWith('.txt')) return tryVersion(await readHint(version));
    return tryVersion(version);
  }
  if (await io.exists(joinPath(metaDir, 'version-hint.text'))) return tryVersion(await readHint('version-hint.text'));
  if (!opts.allowGuessing && version !== '?') {
    throw new FloeError(
      'NOT_FOUND',
      `no version-hint.text in ${metaDir} and no version given; to pick the newest metadata file use version '?' or 'SET unsafe_enable_version_guessing = true'`,
      { context: { path: loc } },
    );
  }
  return newestMetadataFile(io, metaDir, fmt, suffix);
}

/**
 * Picks the newest metadata file: the highest version number among files matching the formats. Versions are
 * compared as numbers (`v10` is newer than `v9`), not as strings.
 */
async function newestMetadataFile(io: FileIO, metaDir: string, fmt: string, suffix: string): Promise<string> {
  let names: string[];
  try {
    names = await io.list(metaDir);
  } catch (err) {
    throw new FloeError('NOT_FOUND', `no table found: ${metaDir} does not exist`, { cause: err, context: { path: metaDir } });
  }
  const patterns = fmt.split(',').map((f) => {
    const [pre, mid, post] = f.split('%s');
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`^${esc(pre)}(.+?)${esc(mid)}${esc(suffix)}${esc(post)}$`);
  });
  let best: { name: string; version: number } | undefined;
  for (const name of names) {
    for (const re of patterns) {
      const m = re.exec(name);
      if (!m) continue;
      // With no compression suffix, do not take `x.gz.metadata.json` as version `x.gz`.
      if (suffix === '' && m[1].endsWith('.gz')) continue;
      const v = metadataFileVersion(`${m[1]}.`) ?? -1;
      if (!best || v > best.version || (v === best.version && name > best.name)) best = { name, version: v };
      break;
    }
  }
  if (!best) {
    throw new FloeError('NOT_FOUND', `no metadata file found in ${metaDir}`, { context: { path: metaDir } });
  }
  return joinPath(metaDir, best.name);
}
