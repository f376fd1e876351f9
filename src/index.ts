/**
 * floe's library entry point: the public API, re-exported from the modules that implement it.
 */
export { FloeError, isFloeError, type FloeErrorCode } from './errors.js';
export { Engine } from './engine/duckdb-engine.js';
export { SqlSession, type SqlResult } from './engine/sql-session.js';
export { scanTable, type ScanTableOptions } from './engine/table-scan.js';
export { buildScanSql } from './engine/scan-sql.js';
export type { FileIO } from './iceberg/io/file-io.js';
export { LocalFileIO } from './iceberg/io/local-file-io.js';
export { MemoryFileIO } from './iceberg/io/memory-file-io.js';
export { openTable, selectSnapshot, type Table, type OpenTableOptions, type SnapshotSelector } from './iceberg/table/table.js';
export { planScan, type ScanPlan, type FileScanTask } from './iceberg/table/scan-planner.js';
export { inspectTable, type TableInspection } from './iceberg/table/inspect.js';
export { resolveMetadataLocation } from './iceberg/table/metadata-location.js';
export type { Expression } from './iceberg/expr/expression.js';
export { parseTableMetadata, serializeTableMetadata, type TableMetadata } from './iceberg/spec/table-metadata.js';
export { readManifest, writeManifest, type DataFile, type ManifestEntry } from './iceberg/avro/manifest.js';
export { readManifestList, writeManifestList, type ManifestFile } from './iceberg/avro/manifest-list.js';
export {
  createVersion,
  listVersions,
  resolveVersion,
  type CreateVersionOptions,
  type CreatedVersion,
  type VersionInfo,
  type VersionRef,
} from './iceberg/table/versions.js';
export { diffVersions, diffTableVersions, type DiffOptions, type VersionDiff } from './engine/table-diff.js';
export { diffSchemas, type SchemaChange } from './iceberg/spec/schema-diff.js';
export { restoreVersion, type RestoreResult } from './iceberg/table/restore.js';
export { storageReport, tableStorageReport, type StorageReport } from './iceberg/table/storage-report.js';
export { runBackfill, type BackfillRunOutput } from './backfill/run.js';
export { backfill, type BackfillResponse } from './backfill/backfill.js';
export { backfillStatus, cancelBackfill, listBackfillRuns, resumeBackfill, type RunStatusReport } from './backfill/control.js';
export type { BackfillEvent, BackfillRequest, BackfillRunResult, RunOptions as BackfillRunOptions } from './backfill/types.js';
export type { ManifestRef as BackfillManifestRef } from './backfill/manifest.js';
export { planBackfill, type BackfillPlan, type PlanOptions, type PlanProbe, type WindowPlan } from './backfill/plan.js';
export { openExtractor, type BoundValue, type ColumnStats, type ExtractColumn, type Extractor, type KeyRange, type WindowQuery } from './sources/extract.js';
export { RULE_TYPES, normalizeRule, ruleStatus, type QualityRule, type RuleType, type Threshold } from './quality/rule.js';
export { evaluateRules, splitByRulesSql, FAILED_RULES_COLUMN, type EvaluateOptions, type RuleResult, type ValidationReport } from './quality/evaluate.js';
export { parseRulesYaml, rulesFromModel, rulesFromSourceTable, sourceTableRules, type SourceRules } from './quality/rule-sources.js';
export {
  validateFile, validateIcebergTable, validateSourceTable, type SampleValidationOptions, type SampleValidationReport,
} from './quality/validate-source.js';
export { openSampler, type SampleMethod, type SampledRows, type SourceSampler } from './sources/source-sample.js';
export { createTradingDatabase, type PlantedRow, type TradingDatabase, type TradingDatabaseOptions } from './demo/trading-database.js';
export { deleteRows, type DeleteRowsOptions, type DeleteRowsResult } from './warehouses/iceberg/row-level/delete-rows.js';
export { mergeInto, type MergeOptions, type MergeResult } from './warehouses/iceberg/row-level/merge.js';
export type { MergeSpec, MatchedClause, NotMatchedClause } from './warehouses/iceberg/row-level/merge-spec.js';
export { VERSION } from './version.js';
