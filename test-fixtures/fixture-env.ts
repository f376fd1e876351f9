/**
 * Where the shared Iceberg fixtures are, and a working directory that looks like the one their writers used.
 * The fixtures live outside the project (`../shared/fixtures`) and are never copied into it.
 */
import { existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of `shared/fixtures/iceberg`, or undefined when absent. */
export function icebergFixtures(): string | undefined {
  const env = process.env.FLOE_FIXTURES;
  const dir = env ? resolve(env, 'iceberg') : resolve(fileURLToPath(new URL('../../shared/fixtures/iceberg', import.meta.url)));
  return existsSync(dir) ? dir : undefined;
}

/**
 * A directory whose `data/persistent` is the duckdb-iceberg fixture folder. Those tables were written by DuckDB's
 * test suite from its repository root and record relative paths such as `data/persistent/uuid/...`; reading them
 * without path relocation resolves those paths against the working directory, as it did for their writers.
 */
export function duckdbIcebergWorkdir(fixtures: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'floe-fixtures-'));
  mkdirSync(join(dir, 'data'), { recursive: true });
  symlinkSync(join(fixtures, 'duckdb-iceberg'), join(dir, 'data', 'persistent'));
  return dir;
}
