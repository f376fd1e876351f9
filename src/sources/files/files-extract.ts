/**
 * Parquet / CSV / JSON file extraction: DuckDB reads the files directly (read_parquet, read_csv, read_json) with
 * the window's WHERE. Object-store files (s3://) are first copied to a temporary directory through FileIO, as
 * src/warehouses/iceberg/write-input.ts does (this DuckDB has no httpfs). The "table" of a file source is the
 * file (or glob) itself; a table name given with it is ignored.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Engine } from '../../engine/duckdb-engine.js';
import { stringList } from '../../engine/sql-literals.js';
import { FloeError } from '../../errors.js';
import { createFileIO, type CreateFileIOOptions } from '../../iceberg/io/file-io-for.js';
import { baseName, parentPath } from '../../iceberg/io/file-io.js';
import { isS3Location } from '../../iceberg/io/s3-file-io.js';
import { DuckdbSqlExtractor } from '../duckdb/duckdb-extract.js';
import { tempDir, type ExtractColumn } from '../extract.js';

type Format = 'parquet' | 'csv' | 'json';

function formatOf(path: string): Format {
  const p = path.toLowerCase().replace(/\.(gz|zst)$/, '');
  if (p.endsWith('.parquet')) return 'parquet';
  if (p.endsWith('.csv') || p.endsWith('.tsv')) return 'csv';
  return 'json';
}

/** A glob of one path segment (`*`, `?`) as a RegExp. */
function globRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

/** Extracts windows from Parquet, CSV or JSON files. */
export class FilesExtractor extends DuckdbSqlExtractor {
  private constructor(
    engine: Engine,
    readonly dialect: Format,
    readonly source: string,
    private readonly rel: string,
    private readonly release: () => Promise<void>,
  ) {
    super(engine);
  }

  /**
   * Opens a file or glob (local, `file:` or `s3://`). S3 globs match names in the last path segment; `options.s3`
   * configures the store (default: the AWS SDK's environment).
   */
  static async open(source: string, options: CreateFileIOOptions = {}): Promise<FilesExtractor> {
    const format = formatOf(source);
    let files: string[];
    let release = async (): Promise<void> => undefined;
    if (isS3Location(source)) {
      const io = createFileIO(source, options);
      const name = baseName(source);
      let keys = [source];
      if (/[*?]/.test(name)) {
        const dir = parentPath(source);
        const re = globRegExp(name);
        keys = (await io.list(dir)).filter((n) => re.test(n)).sort().map((n) => `${dir.replace(/\/$/, '')}/${n}`);
        if (keys.length === 0) throw new FloeError('NOT_FOUND', `no files match ${source}`, { context: { source } });
      }
      const tmp = await tempDir('floe-files-extract-');
      release = tmp.release;
      try {
        files = [];
        await mkdir(tmp.dir, { recursive: true });
        for (const [i, key] of keys.entries()) {
          const local = join(tmp.dir, `${i}-${baseName(key)}`);
          await writeFile(local, await io.read(key));
          files.push(local);
        }
      } catch (cause) {
        await release();
        throw cause;
      }
    } else {
      files = [resolve(source.replace(/^file:(\/\/)?/i, ''))];
    }
    const list = stringList(files);
    // In CSV a quoted empty field ("") is an empty string; only an unquoted empty field is NULL.
    const rel =
      format === 'parquet' ? `read_parquet(${list})` : format === 'csv' ? `read_csv(${list}, auto_detect = true, allow_quoted_nulls = false)` : `read_json_auto(${list})`;
    const engine = await Engine.create();
    const ex = new FilesExtractor(engine, format, source, rel, release);
    try {
      await engine.run(`SET TimeZone = 'UTC'`);
      await ex.columns('');
    } catch (cause) {
      await ex.close();
      throw cause;
    }
    return ex;
  }

  protected relation(): string {
    return this.rel;
  }

  protected async readColumns(): Promise<ExtractColumn[]> {
    const rows = await this.rows(`DESCRIBE SELECT * FROM ${this.rel}`);
    return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type), nullable: r.null !== 'NO' }));
  }

  async primaryKey(): Promise<string[]> {
    return [];
  }

  protected async acquire(): Promise<() => Promise<void>> {
    return async () => undefined;
  }

  async close(): Promise<void> {
    this.engine.close();
    await this.release();
  }
}
