/**
 * Showing a run's progress: a one-line bar for a terminal (rows, windows done/total, rows/s, ETA), redrawn in place,
 * and JSON events, one object per line, for everything else (logs, pipes, programs).
 */
import { stringifyJsonForOutput } from '../util/json.js';
import type { BackfillEvent } from './types.js';

function compact(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(0)}k`;
  return String(Math.round(n));
}

function duration(s: number | null): string {
  if (s === null) return '--';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The bar of a progress event: `[#####-----]  52% 520k/1.0M rows  13/25 windows  81k rows/s  ETA 6s`. */
export function progressLine(e: Extract<BackfillEvent, { type: 'progress' }>, width = 24): string {
  const frac = e.rows_total > 0 ? Math.min(1, e.rows_done / e.rows_total) : e.windows_total > 0 ? e.windows_done / e.windows_total : 1;
  const filled = Math.round(frac * width);
  return (
    `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(frac * 100)).padStart(3)}% ` +
    `${compact(e.rows_done)}/${compact(e.rows_total)} rows  ${e.windows_done}/${e.windows_total} windows  ` +
    `${compact(e.rows_per_second)} rows/s  ETA ${duration(e.eta_seconds)}`
  );
}

/** An event handler writing a terminal bar (`tty`) or JSON lines to `write`. */
export function progressReporter(write: (text: string) => void, tty: boolean): (e: BackfillEvent) => void {
  if (!tty) return (e) => write(`${stringifyJsonForOutput({ ts: new Date().toISOString(), ...e })}\n`);
  let drawn = false;
  return (e) => {
    if (e.type === 'progress') {
      write(`\r${progressLine(e)}\x1b[K`);
      drawn = true;
    } else if (e.type === 'window.retry' || e.type === 'window.failed' || e.type === 'run.end') {
      const text =
        e.type === 'window.retry'
          ? `window ${e.window_id}: ${e.code} (attempt ${e.attempt}), retrying in ${e.delay_ms} ms`
          : e.type === 'window.failed'
            ? `window ${e.window_id} failed: ${e.code}: ${e.message}`
            : `run ${e.run_id} ${e.status}: ${e.processed} windows committed, ${e.failed} failed`;
      write(`${drawn ? '\n' : ''}${text}\n`);
      drawn = false;
    }
  };
}
