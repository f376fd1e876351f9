/**
 * The PostgreSQL server the tests use: 127.0.0.1:5432, database `test`, trust auth (`FLOE_TEST_PG_URI` overrides).
 * A test that needs it asks {@link postgresUnavailable} first (which tries once to start the local cluster) and,
 * when it is not there, skips loudly with {@link skipWithoutPostgres}.
 */
import type { TestContext } from 'node:test';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';

/** Connection URI of the test database. */
export const PG_URI = process.env.FLOE_TEST_PG_URI ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** Why PostgreSQL cannot be used, or undefined when it can (after trying to start the local cluster once). */
export async function postgresUnavailable(): Promise<string | undefined> {
  const ping = async (): Promise<string | undefined> => {
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: PG_URI, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return undefined;
    } catch (err) {
      return (err as Error).message || String(err);
    } finally {
      await client.end().catch(() => {});
    }
  };
  const first = await ping();
  if (first === undefined) return undefined;
  try {
    for (const v of readdirSync('/etc/postgresql')) {
      await promisify(execFile)('pg_ctlcluster', ['--skip-systemctl-redirect', v, 'main', 'start'], { timeout: 30_000 });
    }
  } catch (err) {
    return `${first}; starting it failed: ${(err as Error).message}`;
  }
  for (let i = 0; i < 20; i++) {
    if ((await ping()) === undefined) return undefined;
    await new Promise((r) => setTimeout(r, 500));
  }
  return `${first}; still unreachable after pg_ctlcluster start`;
}

/** Skips test `t` because PostgreSQL is unavailable (`problem`, from {@link postgresUnavailable}), visibly. */
export function skipWithoutPostgres(t: TestContext, problem: string): void {
  const why = `PostgreSQL not available: ${problem} (uri ${PG_URI})`;
  // Loud on purpose: a skipped backend must be visible in the run's output, not pass silently.
  console.warn(`\n*** SKIPPED: ${why} ***\n`);
  t.skip(why);
}
