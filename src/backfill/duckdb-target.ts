/**
 * A table in a DuckDB database file as a backfill target (`duckdb:<path>[#<table>]`). Exactly-once comes from one
 * transaction per window that inserts the rows AND records the window in `_floe_backfill_windows`, whose primary
 * key (run_id, window_id) makes a second commit of the same window fail as a whole: either both land or neither.
 *
 * A DuckDB file can be opened by one DuckDB instance of a process at a time, while windows are extracted in
 * parallel on their own in-memory engines; so each window is handed over as a temporary Parquet file, and the
 * target's transactions run one at a time on the target's single connection.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { FloeError, isFloeError } from '../errors.js';
import { Engine } from '../engine/duckdb-engine.js';
import { describeSource } from '../engine/write-projection.js';
import { quoteIdent, quoteString } from '../engine/sql-literals.js';
import { checksumOf, type ChecksumColumn } from './checksum.js';
import { fingerprint, type BackfillTarget, type TargetColumn, type WindowWrite, type WindowWriteResult } from './iceberg-target.js';
import { rangePredicate } from './range-sql.js';
import { alreadyCommitted } from './window-commits.js';
import type { WriteMode } from './types.js';

const WINDOWS_TABLE = '_floe_backfill_windows';

/** Parses `duckdb:<path>[#<table>]`; the table defaults to `defaultTable`. */
export function parseDuckdbTarget(target: string, defaultTable: string): { path: string; table: string } {
  const m = /^duckdb:(.+?)(?:#(.+))?$/.exec(target);
  if (!m) throw new FloeError('INVALID_ARGUMENT', `a DuckDB target is written duckdb:<path>[#<table>], got ${target}`, { context: { target } });
  const table = m[2] ?? defaultTable.split('.').pop() ?? defaultTable;
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(table)) {
    throw new FloeError('INVALID_ARGUMENT', `DuckDB target table '${table}' must be [schema.]name of letters, digits and '_'`, { context: { table } });
  }
  return { path: m[1], table };
}

/** A one-at-a-time lock: the target's transactions must not interleave on its one connection. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise((r) => (release = r));
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

/** A DuckDB table as a backfill target. */
export class DuckdbTarget implements BackfillTarget {
  readonly kind = 'duckdb' as const;
  private readonly lock = new Mutex();

  private constructor(
    readonly name: string,
    private readonly engine: Engine,
    private readonly table: string,
    private readonly columns: ChecksumColumn[],
    private readonly mode: WriteMode,
    private readonly keyColumns: string[],
    private readonly staging: string,
  ) {}

  /** Opens the database file (created when missing) and the table (created from the source's columns when missing). */
  static async open(target: string, sourceTable: string, columns: TargetColumn[], mode: WriteMode, keyColumns: string[] = []): Promise<DuckdbTarget> {
    const { path, table } = parseDuckdbTarget(target, sourceTable);
    if (mode === 'upsert' && keyColumns.length === 0) {
      throw new FloeError('INVALID_ARGUMENT', 'write_mode upsert needs key_columns (--key)', { context: { write_mode: mode } });
    }
    const engine = await Engine.create(path);
    try {
      const qt = table.split('.').map(quoteIdent).join('.');
      const defs = columns.map((c) => `${quoteIdent(c.name)} ${c.type}${c.nullable ? '' : ' NOT NULL'}`);
      await engine.run(`CREATE TABLE IF NOT EXISTS ${qt} (${defs.join(', ')})`);
      await engine.run(
        `CREATE TABLE IF NOT EXISTS ${WINDOWS_TABLE} (run_id VARCHAR NOT NULL, window_id VARCHAR NOT NULL, plan_hash VARCHAR, ` +
          `rows_written BIGINT, checksum VARCHAR, committed_at TIMESTAMPTZ DEFAULT current_timestamp, PRIMARY KEY (run_id, window_id))`,
      );
      const described = await describeSource(engine, qt);
      for (const k of keyColumns) {
        if (!described.some((c) => c.name === k)) throw new FloeError('INVALID_ARGUMENT', `key column ${k} is not a column of ${table}`, { context: { column: k } });
      }
      const staging = await mkdtemp(join(tmpdir(), 'floe-backfill-duckdb-'));
      return new DuckdbTarget(target, engine, qt, described.map((c) => ({ name: c.name, type: c.type.toString() })), mode, keyColumns, staging);
    } catch (err) {
      engine.close();
      throw err;
    }
  }

  schemaFingerprint(): string {
    return fingerprint(this.columns);
  }

  async committedWindows(runId: string): Promise<Map<string, string>> {
    return this.lock.run(async () => {
      const rows = (await (await this.engine.run(
        `SELECT window_id, committed_at::VARCHAR FROM ${WINDOWS_TABLE} WHERE run_id = ${quoteString(runId)}`,
      )).getRowsJS()) as Array<[string, string]>;
      return new Map(rows.map(([w, at]) => [w, `duckdb@${at}`]));
    });
  }

  async writeWindow(engine: Engine, relation: string, w: WindowWrite): Promise<WindowWriteResult> {
    const have = (await describeSource(engine, relation)).map((c) => c.name);
    const missing = this.columns.filter((c) => !have.includes(c.name));
    const extra = have.filter((h) => !this.columns.some((c) => c.name === h));
    if (extra.length > 0) {
      throw new FloeError('SCHEMA_MISMATCH', `the source has columns the DuckDB table ${this.table} lacks: ${extra.join(', ')}`, {
        context: { differences: extra.map((column) => ({ column, expected: 'absent', actual: 'present' })) },
      });
    }
    const projected = `(SELECT ${this.columns
      .map((c) => `CAST(${missing.includes(c) ? 'NULL' : quoteIdent(c.name)} AS ${c.type}) AS ${quoteIdent(c.name)}`)
      .join(', ')} FROM ${relation})`;
    let source;
    try {
      source = await checksumOf(engine, projected, this.columns);
    } catch (err) {
      if (isFloeError(err, 'SQL_ERROR')) throw new FloeError('SCHEMA_MISMATCH', `the source does not fit the DuckDB table ${this.table}: ${err.message}`, { cause: err });
      throw err;
    }
    const file = join(this.staging, `${randomUUID()}.parquet`);
    await engine.run(`COPY ${projected} TO ${quoteString(file)} (FORMAT parquet)`);
    const qfile = w.quarantine ? join(this.staging, `${randomUUID()}-q.parquet`) : undefined;
    if (qfile) await engine.run(`COPY (SELECT * FROM ${w.quarantine}) TO ${quoteString(qfile)} (FORMAT parquet)`);
    try {
      return await this.lock.run(async () => {
        const parquet = `read_parquet(${quoteString(file)})`;
        const back = await checksumOf(this.engine, parquet, this.columns);
        if (back.rows !== source.rows || back.checksum !== source.checksum) {
          throw new FloeError('RECONCILIATION_FAILED', `window ${w.windowId}: the staged rows differ from the extracted rows`, {
            context: { window_id: w.windowId },
          });
        }
        await this.engine.run('BEGIN TRANSACTION');
        try {
          try {
            await this.engine.run(
              `INSERT INTO ${WINDOWS_TABLE} (run_id, window_id, plan_hash, rows_written, checksum) VALUES ` +
                `(${quoteString(w.runId)}, ${quoteString(w.windowId)}, ${quoteString(w.planHash)}, ${source.rows}, ${quoteString(source.checksum)})`,
            );
          } catch (err) {
            if (isFloeError(err, 'SQL_ERROR') && /constraint|duplicate/i.test(err.message)) throw alreadyCommitted(w.runId, w.windowId, 0n);
            throw err;
          }
          if (this.mode === 'overwrite' && w.range) await this.engine.run(`DELETE FROM ${this.table} WHERE ${rangePredicate(w.range)}`);
          if (this.mode === 'upsert') {
            const on = this.keyColumns.map((k) => `${this.table}.${quoteIdent(k)} = __floe_new.${quoteIdent(k)}`).join(' AND ');
            await this.engine.run(`DELETE FROM ${this.table} USING ${parquet} AS __floe_new WHERE ${on}`);
          }
          let quarantined = 0n;
          if (qfile) {
            // Same transaction: the window's rejected rows land exactly when its accepted ones do.
            const q = `${this.table}__quarantine`.replace(/"__quarantine$/, '__quarantine"');
            const qsrc = `read_parquet(${quoteString(qfile)})`;
            await this.engine.run(`CREATE TABLE IF NOT EXISTS ${q} AS SELECT * FROM ${qsrc} LIMIT 0`);
            const n = (await (await this.engine.run(`INSERT INTO ${q} BY NAME SELECT * FROM ${qsrc}`)).getRowsJS()) as Array<[bigint]>;
            quarantined = BigInt(n[0]?.[0] ?? 0n);
          }
          const inserted = (await (await this.engine.run(`INSERT INTO ${this.table} SELECT * FROM ${parquet}`)).getRowsJS()) as Array<[bigint]>;
          const rows = BigInt(inserted[0]?.[0] ?? 0n);
          if (rows !== source.rows) throw new FloeError('RECONCILIATION_FAILED', `window ${w.windowId}: inserted ${rows} of ${source.rows} rows`);
          await this.engine.run('COMMIT');
          return { rows_written: rows, checksum: source.checksum, checksum_read_back: back.checksum, rows_read_back: rows, files_written: 0, rows_quarantined: quarantined };
        } catch (err) {
          await this.engine.run('ROLLBACK').catch(() => undefined);
          throw err;
        }
      });
    } finally {
      await rm(file, { force: true });
      if (qfile) await rm(qfile, { force: true });
    }
  }

  async close(): Promise<void> {
    this.engine.close();
    await rm(this.staging, { recursive: true, force: true });
  }
}
