/**
 * The run ledger: one JSON document per run under the warehouse (`_floe/runs/<run_id>.json`) holding the plan and
 * every window's state, for `floe backfill status | resume | cancel`. It is bookkeeping, not the source of truth for
 * exactly-once: a window counts as loaded when its commit is in the target (see iceberg-window-commit.ts), so a
 * process that died between its commit and its ledger write loses nothing. Writes go through FileIO, which writes
 * a temporary file and renames it locally (and puts whole objects on S3), so a reader never sees half a ledger.
 */
import type { FileIO } from '../iceberg/io/file-io.js';
import { joinPath } from '../iceberg/io/file-io.js';
import { FloeError, isFloeError } from '../errors.js';
import { parseJson, stringifyJson } from '../util/json.js';
import type { BackfillPlan } from './plan.js';
import type { RunStatus, WindowRecord, WriteMode } from './types.js';

/** One invocation of a run (the first, and each resume). */
export interface Invocation {
  pid: number;
  started_at: string;
  finished_at?: string;
  status?: RunStatus;
  /** Windows committed by this invocation. */
  committed?: number;
  /** Windows found committed in the target that the ledger did not know about (died after commit). */
  recovered?: number;
}

/** The ledger document. */
export interface LedgerDocument {
  ledger_version: 1;
  run_id: string;
  status: RunStatus;
  created_at: string;
  updated_at: string;
  /** Redacted source URL, source table, target and mode: what `resume` needs besides credentials. */
  source: string;
  table: string;
  target: string;
  write_mode: WriteMode;
  key_columns?: string[];
  parallel: number;
  /** The quality rules every window is validated with (normalized), so a resume validates alike. */
  rules?: unknown[];
  plan: BackfillPlan;
  source_schema_fingerprint?: string;
  target_schema_fingerprint?: string;
  invocations: Invocation[];
  windows: WindowRecord[];
  manifest?: { manifest_id: string; location: string; timestamp: string };
}

const dirOf = (warehouse: string) => joinPath(warehouse, '_floe', 'runs');

/** Where a run's ledger lives. */
export function ledgerPath(warehouse: string, runId: string): string {
  return joinPath(dirOf(warehouse), `${runId}.json`);
}

/** Where a run's cancel flag lives. */
export function cancelFlagPath(warehouse: string, runId: string): string {
  return joinPath(dirOf(warehouse), `${runId}.cancel`);
}

/** Checks a run id before it becomes a file name. */
export function checkRunId(runId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(runId)) {
    throw new FloeError('INVALID_ARGUMENT', `run id '${runId}' must be letters, digits, '.', '_' or '-' (at most 128)`, {
      context: { run_id: runId },
    });
  }
  return runId;
}

/** Reads a run's ledger; undefined when there is none. */
export async function readLedger(io: FileIO, warehouse: string, runId: string): Promise<LedgerDocument | undefined> {
  const path = ledgerPath(warehouse, checkRunId(runId));
  let bytes: Uint8Array;
  try {
    bytes = await io.read(path);
  } catch (err) {
    if (isFloeError(err, 'NOT_FOUND')) return undefined;
    throw err;
  }
  const doc = parseJson(Buffer.from(bytes).toString('utf8')) as LedgerDocument;
  if (doc?.ledger_version !== 1 || doc.run_id !== runId) {
    throw new FloeError('CONFIG_INVALID', `${path} is not a floe backfill ledger of run ${runId}`, { context: { path } });
  }
  return doc;
}

/** Lists the run ids that have a ledger. */
export async function listRuns(io: FileIO, warehouse: string): Promise<string[]> {
  try {
    return (await io.list(dirOf(warehouse))).filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5)).sort();
  } catch (err) {
    if (isFloeError(err, 'NOT_FOUND')) return [];
    throw err;
  }
}

/** A ledger held in memory and saved after each change; saves are serialized so the last state always wins. */
export class Ledger {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly io: FileIO,
    readonly warehouse: string,
    readonly doc: LedgerDocument,
  ) {}

  /** The record of a window. */
  window(id: string): WindowRecord {
    const w = this.doc.windows.find((x) => x.window_id === id);
    if (!w) throw new FloeError('INTERNAL', `window ${id} is not in run ${this.doc.run_id}`);
    return w;
  }

  /** Applies `change` to the window's record and saves. */
  update(id: string, change: Partial<WindowRecord>): Promise<void> {
    Object.assign(this.window(id), change);
    return this.save();
  }

  /** Saves the current state (atomically replacing the file). */
  save(): Promise<void> {
    this.doc.updated_at = new Date().toISOString();
    const text = stringifyJson(this.doc, 2);
    const path = ledgerPath(this.warehouse, this.doc.run_id);
    this.chain = this.chain.catch(() => undefined).then(() => this.io.write(path, new TextEncoder().encode(text)));
    return this.chain;
  }

  /** True when `floe backfill cancel` asked this run to stop. */
  cancelRequested(): Promise<boolean> {
    return this.io.exists(cancelFlagPath(this.warehouse, this.doc.run_id));
  }

  /** Removes a cancel flag (a resume clears the request that stopped the run). */
  clearCancel(): Promise<void> {
    return this.io.delete(cancelFlagPath(this.warehouse, this.doc.run_id));
  }
}

/** Asks a running (or future) invocation of `runId` to stop after its current windows. */
export async function requestCancel(io: FileIO, warehouse: string, runId: string): Promise<void> {
  await io.write(cancelFlagPath(warehouse, checkRunId(runId)), new TextEncoder().encode(new Date().toISOString()));
}
