/**
 * Foreign-key (`relationship`) rules in a backfill: a window holds rows of one table, so the referenced table's
 * key columns are extracted from the source once per run into a local Parquet file, and the rule is pointed at it
 * (`read_parquet('…')`). Every worker's DuckDB engine can then check its windows against the same keys, and bad
 * references are quarantined like any other failing row instead of entering the target.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../engine/duckdb-engine.js';
import { quoteIdent, quoteString } from '../engine/sql-literals.js';
import type { QualityRule } from '../quality/rule.js';
import { relationshipTarget } from '../quality/rule-sql.js';
import type { Extractor } from '../sources/extract.js';

/** Referenced tables bigger than this are not copied: their relationship rules are left out (and reported). */
export const MAX_REFERENCE_ROWS = 20_000_000n;

/** Rules ready for DuckDB, the rules left out with the reason, and how to remove the extracted files. */
export interface ResolvedRules {
  rules: QualityRule[];
  skipped: Array<{ rule: string; reason: string }>;
  release(): Promise<void>;
}

/** True when a relationship rule points at a source table by name (not already at a DuckDB relation). */
function namesSourceTable(rule: QualityRule): boolean {
  if (rule.type !== 'relationship') return false;
  return /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/.test(relationshipTarget(rule).table);
}

/**
 * Extracts the key columns each relationship rule references (once per referenced table and column list) and
 * returns the rules with `to.table` replaced by the extracted file. Other rules pass through unchanged.
 */
export async function resolveReferenceTables(extractor: Extractor, engine: Engine, rules: QualityRule[]): Promise<ResolvedRules> {
  const needed = rules.filter(namesSourceTable);
  if (needed.length === 0) return { rules, skipped: [], release: async () => undefined };
  const dir = await mkdtemp(join(tmpdir(), 'floe-refs-'));
  const files = new Map<string, string | null>();
  const skipped: ResolvedRules['skipped'] = [];
  const out: QualityRule[] = [];
  try {
    for (const rule of rules) {
      if (!namesSourceTable(rule)) {
        out.push(rule);
        continue;
      }
      const to = relationshipTarget(rule);
      const key = `${to.table}(${to.columns.join(',')})`;
      if (!files.has(key)) {
        const rows = await extractor.count({ table: to.table });
        if (rows > MAX_REFERENCE_ROWS) {
          files.set(key, null);
        } else {
          const temp = `__floe_ref_${files.size}`;
          await extractor.extractInto(engine, { table: to.table, columns: to.columns }, temp);
          const path = join(dir, `ref-${files.size}.parquet`);
          const cols = to.columns.map(quoteIdent).join(', ');
          await engine.run(`COPY (SELECT DISTINCT ${cols} FROM ${quoteIdent(temp)}) TO ${quoteString(path)} (FORMAT parquet)`);
          await engine.run(`DROP TABLE IF EXISTS ${quoteIdent(temp)}`);
          files.set(key, path);
        }
      }
      const path = files.get(key);
      if (!path) {
        skipped.push({ rule: rule.name, reason: `${to.table} has more than ${MAX_REFERENCE_ROWS} rows` });
        continue;
      }
      out.push({ ...rule, to: { table: `read_parquet(${quoteString(path)})`, columns: to.columns } });
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { rules: out, skipped, release: () => rm(dir, { recursive: true, force: true }) };
}
