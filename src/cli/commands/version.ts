/**
 * `floe version ...`: versions (tags) of a catalog table.
 *   floe version create <table> [--name n] [--snapshot id] [--retention 30d|12h|90m|45s|1000ms] [--json]
 *   floe version list <table> [--json]
 */
import { FloeError } from '../../errors.js';
import { loadFloeConfig } from '../../config/floe-config.js';
import { openCatalog, parseTableName } from '../../iceberg/catalog/open-catalog.js';
import { createVersion, listVersions } from '../../iceberg/table/versions.js';
import { stringifyJsonForOutput } from '../../util/json.js';
import { parse } from '../args.js';
import type { CliIO } from '../main.js';
import { renderResult } from '../render.js';

const UNITS: Record<string, bigint> = { ms: 1n, s: 1000n, m: 60_000n, h: 3_600_000n, d: 86_400_000n, w: 604_800_000n };

/** Parses a retention: `30d`, `12h`, `90m`, `45s`, `1000ms`, `2w`, or plain milliseconds. */
export function parseRetention(text: string): bigint {
  const m = /^\s*(\d+)\s*(ms|s|m|h|d|w)?\s*$/i.exec(text);
  if (!m) throw new FloeError('INVALID_ARGUMENT', `--retention takes a duration like 30d, 12h, 90m, 45s or 1000ms, got '${text}'`);
  const ms = BigInt(m[1]) * UNITS[(m[2] ?? 'ms').toLowerCase()];
  if (ms <= 0n) throw new FloeError('INVALID_ARGUMENT', '--retention must be positive');
  return ms;
}

/** Runs `floe version`. */
export async function versionCommand(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parse(rest, {
    name: { type: 'string' },
    snapshot: { type: 'string' },
    retention: { type: 'string' },
    json: { type: 'boolean' },
    catalog: { type: 'string' },
    config: { type: 'string' },
  });
  if ((sub !== 'create' && sub !== 'list') || positionals.length !== 1) {
    throw new FloeError('INVALID_ARGUMENT', 'usage: floe version create <table> [--name n] [--snapshot id] [--retention 30d] | floe version list <table>');
  }
  const id = parseTableName(positionals[0]);
  const catalog = await openCatalog(await loadFloeConfig({ configPath: values.config as string | undefined }), values.catalog as string | undefined);
  try {
    if (sub === 'create') {
      const snap = values.snapshot as string | undefined;
      if (snap !== undefined && !/^-?\d+$/.test(snap)) throw new FloeError('INVALID_ARGUMENT', '--snapshot takes a snapshot id');
      const created = await createVersion(catalog, id, {
        ...(values.name !== undefined ? { name: values.name as string } : {}),
        ...(snap !== undefined ? { snapshotId: BigInt(snap) } : {}),
        ...(values.retention !== undefined ? { maxRefAgeMs: parseRetention(values.retention as string) } : {}),
      });
      io.stdout(values.json ? `${stringifyJsonForOutput(created, 2)}\n` : `created version ${created.version} at snapshot ${created.snapshot_id}\n`);
      return 0;
    }
    const versions = listVersions((await catalog.loadTable(id)).metadata);
    if (values.json) {
      io.stdout(`${stringifyJsonForOutput(versions, 2)}\n`);
      return 0;
    }
    const cols = ['version', 'snapshot_id', 'committed_at', 'row_count', 'expires_at'] as const;
    io.stdout(
      renderResult(
        {
          columns: cols.map((name) => ({ name, type: name === 'snapshot_id' || name === 'row_count' ? 'BIGINT' : 'VARCHAR' })),
          text: versions.map((v) => cols.map((c) => (v[c] === null ? null : String(v[c])))),
          json: [],
        },
        'table',
      ),
    );
    return 0;
  } finally {
    await catalog.close();
  }
}
