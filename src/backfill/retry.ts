/**
 * Window retries: exponential backoff with full jitter for retryable failures (a lost or terminated source
 * connection, a commit conflict), none for terminal ones (bad data, schema mismatch, bad arguments). Retry follows
 * the error's `retryable` flag (ARCHITECTURE.md convention 1), not the call site.
 */
import { FloeError, isFloeError } from '../errors.js';

/** Codes retried even when an inner layer did not flag them (both mean "nothing happened, try again"). */
const RETRYABLE_CODES = new Set(['SOURCE_UNAVAILABLE', 'COMMIT_CONFLICT', 'CATALOG_UNAVAILABLE']);
/** Codes never retried whatever the flag says: repeating the same input gives the same answer. */
const TERMINAL_CODES = new Set([
  'SCHEMA_MISMATCH',
  'INVALID_ARGUMENT',
  'VALIDATION_FAILED',
  'CONFIG_INVALID',
  'UNSUPPORTED',
  'RECONCILIATION_FAILED',
  'CANCELLED',
  'DUPLICATE_KEY',
]);

/** True when retrying the window may succeed. */
export function isRetryable(err: unknown): boolean {
  if (!isFloeError(err)) return false;
  if (TERMINAL_CODES.has(err.code)) return false;
  return err.retryable || RETRYABLE_CODES.has(err.code);
}

/** The wait before attempt `attempt + 1` (attempt counts from 1): full jitter on `base * 2^(attempt-1)`, capped. */
export function backoffDelay(attempt: number, baseMs: number, capMs = 30_000, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  // Half fixed, half random: waits still grow when the random draw is small, and runners still spread out.
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Sleeps `ms`, ending early with CANCELLED when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The error a cancelled run raises. */
export function cancelled(): FloeError {
  return new FloeError('CANCELLED', 'the backfill run was cancelled');
}

/** An error as plain JSON for the ledger and the manifest. */
export function errorRecord(err: unknown): { code: string; message: string; retryable: boolean } {
  if (isFloeError(err)) return { code: err.code, message: err.message.split('\n')[0], retryable: isRetryable(err) };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message.split('\n')[0] : String(err), retryable: false };
}
