/**
 * The plan hash: sha256 of what decides which rows each window holds (source identity with the password
 * redacted, table, column, strategy and every window's boundaries), not of counts or estimates, so the same plan
 * over the same data hashes the same on every machine and a run can tell it is resuming its own plan.
 */
import { createHash } from 'node:crypto';
import type { BoundValue } from '../sources/extract.js';

/** What a plan hash covers. */
export interface PlanIdentity {
  source: string;
  table: string;
  column: string;
  strategy: string;
  windows: Array<{ start: BoundValue; end: BoundValue; includeNulls?: boolean }>;
}

/** A bound in the hashed text: typed, so 1, 1n and '1' differ only where the source would see them differently. */
function bound(v: BoundValue): unknown {
  if (v === null) return null;
  if (typeof v === 'bigint' || typeof v === 'number') return { n: v.toString() };
  return { s: v };
}

/** Hex sha256 of the plan's identity. */
export function planHash(id: PlanIdentity): string {
  const text = JSON.stringify({
    source: id.source,
    table: id.table,
    column: id.column,
    strategy: id.strategy,
    windows: id.windows.map((w) => [bound(w.start), bound(w.end), w.includeNulls === true]),
  });
  return createHash('sha256').update(text).digest('hex');
}
