/**
 * The combined backfill request of the design (REQUIREMENTS.md §7): `{data_source, window_size, target_model |
 * target_table, validate_sample}` runs the four steps in one call — plan ingestion, validate a sample, execute the
 * backfill, record the manifest — and answers with each step's public fields. Running the same request again after a
 * crash resumes the run: the plan hash and the target give the same run id, and committed windows are skipped.
 */
import { FloeError } from '../errors.js';
import { resolveReferenceTables } from './reference-tables.js';
import { Engine } from '../engine/duckdb-engine.js';
import { evaluateRules, type ValidationReport } from '../quality/evaluate.js';
import { normalizeRules, type QualityRule } from '../quality/rule.js';
import { rulesFromSourceTable } from '../quality/rule-sources.js';
import { isFileSource, openExtractor, type Extractor } from '../sources/extract.js';
import { openSource } from '../sources/open-source.js';
import { checkRequest, configOf } from './context.js';
import { resolveCatalog, s3OptionsFor } from '../config/floe-config.js';
import type { ManifestRef } from './manifest.js';
import { planBackfill, type BackfillPlan } from './plan.js';
import { runBackfill } from './run.js';
import type { BackfillRequest, BackfillRunResult, RunOptions } from './types.js';

/** The combined response: each step's output under its own key. */
export interface BackfillResponse {
  plan: BackfillPlan;
  /** Absent when `validate_sample` is 0. */
  validation?: ValidationReport & { rules_source: 'request' | 'source constraints' | 'none' };
  execution: BackfillRunResult;
  manifest: ManifestRef;
}

/**
 * Rules from the source's own constraints (NOT NULL, CHECK, unique keys, foreign keys: `relationship` rules are
 * checked against the referenced table's keys, extracted once per run; see reference-tables.ts).
 */
export async function sourceRules(source: string, table: string): Promise<QualityRule[]> {
  if (isFileSource(source)) return [];
  const src = await openSource(source);
  try {
    const schema = await src.introspect({ tables: [table] });
    const t = schema.tables.find((x) => x.name === table) ?? schema.tables[0];
    return t ? rulesFromSourceTable(t) : [];
  } finally {
    await src.close();
  }
}

/** Validates `n` sampled rows of the source table with `rules`. */
export async function validateSample(extractor: Extractor, table: string, n: number, rules: QualityRule[]): Promise<ValidationReport> {
  const engine = await Engine.create();
  try {
    await extractor.sample(engine, table, n, '__floe_sample');
    const resolved = await resolveReferenceTables(extractor, engine, rules);
    try {
      return await evaluateRules(engine, '__floe_sample', resolved.rules);
    } finally {
      await resolved.release();
    }
  } finally {
    engine.close();
  }
}

/**
 * Plans, validates a sample, runs and records a backfill. A sample failing its rules past their thresholds stops
 * here with VALIDATION_FAILED (`context.report`), before anything is written: bad data never enters the target.
 */
export async function backfill(request: BackfillRequest, opts: Omit<RunOptions, 'plan' | 'validation'> = {}): Promise<BackfillResponse> {
  const checked = checkRequest(request);
  const config = await configOf(request);
  const extractor = await openExtractor(request.data_source, { s3: s3OptionsFor(config, resolveCatalog(config, request.catalog_name)) });
  let plan: BackfillPlan;
  let validation: BackfillResponse['validation'];
  let rules: QualityRule[];
  try {
    const given = request.rules !== undefined;
    rules = given ? normalizeRules(request.rules as unknown[]) : await sourceRules(request.data_source, request.table);
    plan = await planBackfill(extractor, { table: request.table, column: request.column, by: request.by, windowSize: checked.window_size, parallel: checked.parallel });
    const sample = request.validate_sample ?? 100;
    if (!Number.isSafeInteger(sample) || sample < 0) {
      throw new FloeError('INVALID_ARGUMENT', `validate_sample must be a whole number >= 0, got ${String(sample)}`, { context: { key: 'validate_sample' } });
    }
    if (sample > 0) {
      const report = await validateSample(extractor, request.table, sample, rules);
      validation = { ...report, rules_source: rules.length === 0 ? 'none' : given ? 'request' : 'source constraints' };
      if (report.status === 'fail') {
        const failed = report.rules.filter((r) => r.status === 'fail').map((r) => `${r.rule} (${r.failing} of ${r.checked})`);
        throw new FloeError('VALIDATION_FAILED', `the sample of ${request.table} fails rules past their thresholds: ${failed.join(', ')}; nothing was written`, {
          context: { report: validation },
        });
      }
    }
  } finally {
    await extractor.close();
  }
  const out = await runBackfill({ ...request, rules }, { ...opts, plan, validation });
  const { manifest, ...execution } = out;
  return { plan, validation, execution, manifest };
}
