/**
 * Re-running a row-level operation after a conflict. A commit that fails validation cannot simply be retried on
 * the new base: the rows it decided to delete or rewrite were read from an older snapshot. So the whole operation
 * (load, read, write, commit) starts over from a fresh load, with exponential backoff and jitter, a bounded number
 * of times; then COMMIT_CONFLICT, retryable, is surfaced. No attempt's decision outlives its snapshot, so no update
 * is ever lost silently.
 */
import { FloeError } from '../../../errors.js';
import { isRerunConflict } from './conflicts.js';

/** Options of {@link withReruns}. */
export interface RerunOptions {
  /** Attempts in all (default 8). */
  maxAttempts?: number;
  /** First backoff in ms (default 50); doubles up to `maxWaitMs` (default 2000). */
  minWaitMs?: number;
  maxWaitMs?: number;
}

/** Runs `attempt` until it does not end in a conflict; `attempt` gets its 0-based number. */
export async function withReruns<T>(attempt: (n: number) => Promise<T>, opts: RerunOptions = {}): Promise<T> {
  const max = Math.max(1, opts.maxAttempts ?? 8);
  const min = opts.minWaitMs ?? 50;
  const cap = opts.maxWaitMs ?? 2000;
  let last: unknown;
  for (let n = 0; n < max; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!isRerunConflict(err)) throw err;
      last = err;
      if (n + 1 < max) {
        const wait = Math.min(cap, min * 2 ** n);
        await new Promise((r) => setTimeout(r, wait / 2 + Math.random() * (wait / 2)));
      }
    }
  }
  const cause = last as FloeError;
  throw new FloeError('COMMIT_CONFLICT', `gave up after ${max} attempts: ${cause.message}`, {
    retryable: true,
    cause,
    context: { ...cause.context, attempts: max },
  });
}
