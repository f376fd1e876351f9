/**
 * `floe validate <source-url | file | table> [--table t] [--rules rules.yaml] [--sample 1000] [--json]`: validates a
 * sample against the source's constraints and a rules file. Exit status 11 (VALIDATION_FAILED) when a rule fails at
 * error level; warnings print but pass.
 */
import { readFile } from 'node:fs/promises';
import { FloeError } from '../../errors.js';
import type { RuleResult } from '../../quality/evaluate.js';
import { parseRulesYaml } from '../../quality/rule-sources.js';
import type { QualityRule } from '../../quality/rule.js';
import {
  fileRelation, validateFile, validateIcebergTable, validateSourceTable, type SampleValidationOptions, type SampleValidationReport,
} from '../../quality/validate-source.js';
import { parse } from '../args.js';
import { exitCodeFor } from '../exit-codes.js';
import type { CliIO } from '../main.js';
import { openTableRef } from '../table-ref.js';

const USAGE = 'usage: floe validate <source-url | file | namespace.table> [--table t] [--rules rules.yaml] [--sample 1000] [--examples 5] [--no-constraints] [--json]';
const DATABASE_SCHEMES = /^(postgresql|postgres|mysql|mariadb|sqlite|duckdb):/i;

async function loadRules(path: string | undefined, table: string | undefined): Promise<QualityRule[]> {
  if (path === undefined) return [];
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new FloeError('NOT_FOUND', `cannot read rules file ${path}: ${(cause as Error).message}`, { cause, context: { path } });
  }
  return parseRulesYaml(text, { table, source: path });
}

function cell(v: unknown): string {
  return v === null || v === undefined ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** The report as an aligned table with examples under each failing rule. */
export function renderValidation(report: SampleValidationReport): string {
  const of = report.table_rows === null ? '' : ` of ${report.table_rows}`;
  const lines = [`validate ${report.source}${report.table !== report.source ? ` table ${report.table}` : ''}: sample of ${report.sample_size}${of} rows (${report.sample_method})`, ''];
  const header = ['rule', 'type', 'column', 'severity', 'checked', 'failing', 'percent', 'status'];
  const body = report.rules.map((r: RuleResult) => [r.rule, r.type, r.column ?? '', r.severity, String(r.checked), String(r.failing), `${r.percent}%`, r.status.toUpperCase()]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i >= 4 && i <= 6 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  lines.push(fmt(header), widths.map((w) => '-'.repeat(w)).join('  '));
  report.rules.forEach((r, i) => {
    lines.push(fmt(body[i]));
    for (const ex of r.examples) lines.push(`    e.g. ${Object.entries(ex).map(([k, v]) => `${k}=${cell(v)}`).join(', ')}`);
  });
  if (report.rules.length === 0) lines.push('(no rules)');
  lines.push(
    '',
    `sample_size ${report.sample_size}  valid_records ${report.valid_records}  invalid_records ${report.invalid_records}  ` +
      `validation_score ${report.validation_score.toFixed(4)}  status ${report.status.toUpperCase()}`,
  );
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  return `${lines.join('\n')}\n`;
}

/** Runs `floe validate`. */
export async function validateCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    table: { type: 'string' },
    rules: { type: 'string' },
    sample: { type: 'string' },
    examples: { type: 'string' },
    'no-constraints': { type: 'boolean' },
    json: { type: 'boolean' },
    config: { type: 'string' },
    catalog: { type: 'string' },
  });
  if (positionals.length !== 1) throw new FloeError('INVALID_ARGUMENT', USAGE);
  const target = positionals[0];
  const int = (name: string, v: unknown): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || (name === 'sample' && n === 0)) throw new FloeError('INVALID_ARGUMENT', `--${name} must be a ${name === 'sample' ? 'positive' : 'non-negative'} integer, got ${String(v)}`);
    return n;
  };
  const table = values.table as string | undefined;
  const opts: SampleValidationOptions = {
    sample: int('sample', values.sample),
    examples: int('examples', values.examples),
    constraints: values['no-constraints'] !== true,
  };
  let report: SampleValidationReport;
  if (DATABASE_SCHEMES.test(target)) {
    if (table === undefined) throw new FloeError('INVALID_ARGUMENT', `--table is required with a database URL (${USAGE})`);
    opts.rules = await loadRules(values.rules as string | undefined, table);
    report = await validateSourceTable(target, table, opts);
  } else if (fileRelation(target) !== undefined) {
    opts.rules = await loadRules(values.rules as string | undefined, table);
    report = await validateFile(target, opts);
  } else {
    opts.rules = await loadRules(values.rules as string | undefined, table ?? target);
    const ref = await openTableRef(target, { config: values.config as string | undefined, catalog: values.catalog as string | undefined });
    try {
      report = await validateIcebergTable(ref.table, target, opts);
    } finally {
      await ref.close();
    }
  }
  io.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderValidation(report));
  const failed = report.rules.filter((r) => r.status === 'fail').map((r) => r.rule);
  if (failed.length > 0) {
    io.stderr(`floe: VALIDATION_FAILED: ${failed.length} rule(s) failed: ${failed.join(', ')}\n`);
    return exitCodeFor('VALIDATION_FAILED');
  }
  return 0;
}
