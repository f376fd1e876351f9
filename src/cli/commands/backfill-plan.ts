/**
 * `floe backfill plan --source <url> --table t [--column c] [--by key|hour|day|month] [--window-size N]
 * [--parallel N] [--json]`: plans a backfill from the source's real data and prints the whole plan
 * (REQUIREMENTS.md §7: total_records, windows, parallel_windows, estimated_duration_seconds, execution_plan).
 */
import { planBackfill, type BackfillPlan, type PlanOptions } from '../../backfill/plan.js';
import { FloeError } from '../../errors.js';
import { isFileSource, openExtractor } from '../../sources/extract.js';
import { stringifyJsonForOutput } from '../../util/json.js';
import { parse } from '../args.js';
import type { CliIO } from '../main.js';

const USAGE = 'usage: floe backfill plan --source <url | file> --table t [--column c] [--by key|hour|day|month] [--window-size N] [--parallel N] [--json]';

function intOption(v: string | boolean | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1) {
    throw new FloeError('INVALID_ARGUMENT', `--${name} must be a positive integer, got ${String(v)}`);
  }
  return n;
}

/** The plan as text: a summary line, then one line per window. */
export function renderPlan(p: BackfillPlan): string {
  const show = (v: unknown) => (v === null ? '(unbounded)' : String(v));
  const lines = [
    `plan ${p.plan_hash}`,
    `source ${p.source}  table ${p.table}  column ${p.column}  strategy ${p.strategy}`,
    `total_records ${p.total_records}  windows ${p.windows}  parallel_windows ${p.parallel_windows}  estimated_duration_seconds ${p.estimated_duration_seconds}`,
  ];
  if (p.probe) lines.push(`probe: window ${p.probe.window_id}, ${p.probe.rows} rows in ${p.probe.seconds} s (${p.probe.rows_per_second} rows/s)`);
  lines.push('');
  for (const w of p.execution_plan) {
    const range = w.include_nulls ? `${p.column} IS NULL` : `[${show(w.start_offset)}, ${show(w.end_offset)})`;
    lines.push(`${w.window_id}  ${range}  ${w.record_count} records`);
  }
  return `${lines.join('\n')}\n`;
}

/** Runs `floe backfill plan`. */
export async function backfillPlanCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    source: { type: 'string' },
    table: { type: 'string' },
    column: { type: 'string' },
    by: { type: 'string' },
    'window-size': { type: 'string' },
    parallel: { type: 'string' },
    json: { type: 'boolean' },
  });
  const source = (values.source as string | undefined) ?? positionals[0];
  if (source === undefined || positionals.length > (values.source === undefined ? 1 : 0)) throw new FloeError('INVALID_ARGUMENT', USAGE);
  const by = values.by as string | undefined;
  if (by !== undefined && !['key', 'hour', 'day', 'month'].includes(by)) {
    throw new FloeError('INVALID_ARGUMENT', `--by must be key, hour, day or month, got ${by}`);
  }
  // A file source is its own table: its name defaults to the file's.
  const table = (values.table as string | undefined) ?? (isFileSource(source) ? source.replace(/^.*[\\/]/, '') : undefined);
  if (table === undefined) throw new FloeError('INVALID_ARGUMENT', `--table is required; ${USAGE}`);
  const opts: PlanOptions = {
    table,
    ...(values.column !== undefined ? { column: values.column as string } : {}),
    ...(by !== undefined ? { by: by as PlanOptions['by'] } : {}),
    ...(values['window-size'] !== undefined ? { windowSize: intOption(values['window-size'], 'window-size') } : {}),
    ...(values.parallel !== undefined ? { parallel: intOption(values.parallel, 'parallel') } : {}),
  };
  const ex = await openExtractor(source);
  try {
    const plan = await planBackfill(ex, opts);
    io.stdout(values.json ? `${stringifyJsonForOutput(plan, 2)}\n` : renderPlan(plan));
    return 0;
  } finally {
    await ex.close();
  }
}
