/**
 * `floe backfill`: the combined request (plan, sample validation, run, manifest) and its parts:
 *
 *   floe backfill --source <url> --table <t> --target <ns.table | duckdb:path[#table]> [--window-size N]
 *                 [--parallel N] [--validate-sample 100] [--rules r.yaml] [--mode append|overwrite|upsert]
 *                 [--key k] [--column c] [--by key|hour|day|month] [--run-id id] [--json]
 *   floe backfill plan ...                          (see backfill-plan.ts)
 *   floe backfill run  <same options>               (no sample validation)
 *   floe backfill status [run-id] [--json]
 *   floe backfill resume <run-id> [--source url] [--parallel N] [--json]
 *   floe backfill cancel <run-id>
 *
 * Progress goes to stderr: a bar on a terminal, JSON events (one per line) otherwise. Ctrl-C cancels the run
 * cleanly (windows in flight are not committed; the run resumes later).
 */
import { readFile } from 'node:fs/promises';
import { FloeError } from '../../errors.js';
import { loadFloeConfig } from '../../config/floe-config.js';
import { backfill } from '../../backfill/backfill.js';
import { backfillStatus, cancelBackfill, listBackfillRuns, resumeBackfill, type RunsLocation } from '../../backfill/control.js';
import { progressReporter } from '../../backfill/progress.js';
import { runBackfill } from '../../backfill/run.js';
import type { BackfillEvent, BackfillRequest, BackfillRunResult } from '../../backfill/types.js';
import { parseRulesYaml } from '../../quality/rule-sources.js';
import { stringifyJsonForOutput } from '../../util/json.js';
import { parse } from '../args.js';
import { exitCodeFor } from '../exit-codes.js';
import type { CliIO } from '../main.js';
import { backfillPlanCommand } from './backfill-plan.js';

const RUN_OPTIONS = {
  source: { type: 'string' },
  table: { type: 'string' },
  target: { type: 'string' },
  'target-model': { type: 'string' },
  'window-size': { type: 'string' },
  parallel: { type: 'string' },
  'validate-sample': { type: 'string' },
  rules: { type: 'string' },
  mode: { type: 'string' },
  key: { type: 'string', multiple: true },
  column: { type: 'string' },
  by: { type: 'string' },
  'run-id': { type: 'string' },
  'max-retries': { type: 'string' },
  json: { type: 'boolean' },
  config: { type: 'string' },
  catalog: { type: 'string' },
} as const;

function int(v: unknown, key: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new FloeError('INVALID_ARGUMENT', `--${key} must be a whole number, got ${String(v)}`, { context: { key } });
  return n;
}

async function location(values: Record<string, unknown>): Promise<RunsLocation> {
  return { config: await loadFloeConfig({ configPath: values.config as string | undefined }), catalog_name: values.catalog as string | undefined };
}

/** The request the run options describe. */
async function requestOf(values: Record<string, unknown>): Promise<BackfillRequest> {
  const need = (k: string) => {
    if (typeof values[k] !== 'string') throw new FloeError('INVALID_ARGUMENT', `floe backfill needs --${k}`, { context: { key: k } });
    return values[k] as string;
  };
  const table = need('table');
  let rules: unknown[] | undefined;
  if (typeof values.rules === 'string') {
    let text: string;
    try {
      text = await readFile(values.rules, 'utf8');
    } catch (cause) {
      throw new FloeError('NOT_FOUND', `cannot read rules file ${values.rules}`, { cause, context: { path: values.rules } });
    }
    rules = parseRulesYaml(text, { table, source: values.rules });
  }
  const keys = ((values.key as string[] | undefined) ?? []).flatMap((k) => k.split(',')).map((k) => k.trim()).filter(Boolean);
  const by = values.by as BackfillRequest['by'] | undefined;
  if (by !== undefined && !['key', 'hour', 'day', 'month'].includes(by)) {
    throw new FloeError('INVALID_ARGUMENT', `--by must be key, hour, day or month, got ${by}`, { context: { key: 'by' } });
  }
  return {
    ...(await location(values)),
    data_source: need('source'),
    table,
    target_table: values.target as string | undefined,
    target_model: values['target-model'] as string | undefined,
    window_size: int(values['window-size'], 'window-size'),
    parallel: int(values.parallel, 'parallel'),
    validate_sample: int(values['validate-sample'], 'validate-sample'),
    rules,
    write_mode: values.mode as BackfillRequest['write_mode'],
    key_columns: keys.length > 0 ? keys : undefined,
    column: values.column as string | undefined,
    by,
    run_id: values['run-id'] as string | undefined,
    max_retries: int(values['max-retries'], 'max-retries'),
  };
}

/** Progress to stderr, and Ctrl-C as a clean cancel. */
function runtime(io: CliIO): { onEvent: (e: BackfillEvent) => void; signal: AbortSignal; done: () => void } {
  const controller = new AbortController();
  const onSigint = () => {
    io.stderr('\ncancelling: windows in flight are dropped, committed ones stay; resume with floe backfill resume\n');
    controller.abort();
    process.removeListener('SIGINT', onSigint);
  };
  process.on('SIGINT', onSigint);
  return {
    onEvent: progressReporter(io.stderr, process.stderr.isTTY === true),
    signal: controller.signal,
    done: () => process.removeListener('SIGINT', onSigint),
  };
}

function summary(r: BackfillRunResult, manifest?: { location: string }): string {
  const lines = [
    `run ${r.run_id}: ${r.status}`,
    `  target ${r.target}: ${r.processed}/${r.windows} windows committed (${r.skipped} already committed before), ${r.failed} failed`,
    `  rows read ${r.rows_read}, written ${r.rows_written}, quarantined ${r.rows_quarantined}`,
    `  ${r.duration_seconds.toFixed(1)} s, ${r.rows_per_second} rows/s, success rate ${(r.success_rate * 100).toFixed(1)}%`,
  ];
  for (const e of r.errors.slice(0, 10)) lines.push(`  error${e.window_id ? ` in window ${e.window_id}` : ''}: ${e.code}: ${e.message}`);
  if (manifest) lines.push(`  manifest ${manifest.location}`);
  return `${lines.join('\n')}\n`;
}

/** The exit status of a finished run: 0 when completed, else the first error's code's status. */
function statusOf(r: BackfillRunResult): number {
  if (r.status === 'completed') return 0;
  if (r.status === 'cancelled') return exitCodeFor('CANCELLED');
  return exitCodeFor((r.errors[0]?.code as Parameters<typeof exitCodeFor>[0]) ?? 'INTERNAL');
}

/** Runs `floe backfill ...`. */
export async function backfillCommand(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'plan':
      return backfillPlanCommand(rest, io);
    case 'status': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' }, config: { type: 'string' }, catalog: { type: 'string' } });
      const loc = await location(values);
      const out = positionals[0] ? await backfillStatus(loc, positionals[0]) : await listBackfillRuns(loc);
      if (values.json) io.stdout(`${stringifyJsonForOutput(out, 2)}\n`);
      else {
        for (const s of Array.isArray(out) ? out : [out]) {
          const b = s.by_status;
          io.stdout(
            `${s.run_id}  ${s.status}  ${s.table} -> ${s.target}  windows ${b.committed}/${s.windows} committed, ${b.failed} failed, ` +
              `${b.pending + b.running} to do  rows ${s.rows_written} written${s.manifest ? `  manifest ${s.manifest.location}` : ''}\n`,
          );
          for (const f of s.failed_windows) io.stdout(`  window ${f.window_id}: ${f.code}: ${f.message} (${f.attempts} attempts)\n`);
        }
      }
      return 0;
    }
    case 'cancel': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' }, config: { type: 'string' }, catalog: { type: 'string' } });
      if (!positionals[0]) throw new FloeError('INVALID_ARGUMENT', 'floe backfill cancel needs a run id');
      const out = await cancelBackfill(await location(values), positionals[0]);
      io.stdout(values.json ? `${stringifyJsonForOutput(out)}\n` : `cancel requested for run ${out.run_id}: it stops after its current windows\n`);
      return 0;
    }
    case 'resume': {
      const { values, positionals } = parse(rest, {
        source: { type: 'string' },
        parallel: { type: 'string' },
        'max-retries': { type: 'string' },
        json: { type: 'boolean' },
        config: { type: 'string' },
        catalog: { type: 'string' },
      });
      if (!positionals[0]) throw new FloeError('INVALID_ARGUMENT', 'floe backfill resume needs a run id');
      const rt = runtime(io);
      try {
        const out = await resumeBackfill(
          await location(values),
          positionals[0],
          { source: values.source as string | undefined, parallel: int(values.parallel, 'parallel'), max_retries: int(values['max-retries'], 'max-retries') },
          { onEvent: rt.onEvent, signal: rt.signal },
        );
        io.stdout(values.json ? `${stringifyJsonForOutput(out, 2)}\n` : summary(out, out.manifest));
        return statusOf(out);
      } finally {
        rt.done();
      }
    }
    case 'run': {
      const { values } = parse(rest, RUN_OPTIONS);
      const rt = runtime(io);
      try {
        const out = await runBackfill(await requestOf(values), { onEvent: rt.onEvent, signal: rt.signal });
        io.stdout(values.json ? `${stringifyJsonForOutput(out, 2)}\n` : summary(out, out.manifest));
        return statusOf(out);
      } finally {
        rt.done();
      }
    }
    default: {
      const { values } = parse(argv, RUN_OPTIONS);
      const rt = runtime(io);
      try {
        const out = await backfill(await requestOf(values), { onEvent: rt.onEvent, signal: rt.signal });
        if (values.json) io.stdout(`${stringifyJsonForOutput(out, 2)}\n`);
        else {
          const p = out.plan;
          io.stdout(`plan ${p.plan_hash}: ${p.total_records} records in ${p.windows} windows (${p.strategy} on ${p.column}), ${p.parallel_windows} at once\n`);
          if (out.validation) {
            const v = out.validation;
            io.stdout(`sample: ${v.valid_records}/${v.sample_size} valid (score ${v.validation_score.toFixed(3)}, ${v.status}, rules from ${v.rules_source})\n`);
          }
          io.stdout(summary(out.execution, out.manifest));
        }
        return statusOf(out.execution);
      } finally {
        rt.done();
      }
    }
  }
}
