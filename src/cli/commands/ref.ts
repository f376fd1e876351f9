/**
 * `floe ref ...` (branches and tags of a catalog table) and `floe rollback` / `floe set-current`:
 *   floe ref list <table>
 *   floe ref create <table> <name> [--tag | --branch] [--snapshot id] [--max-ref-age-ms n] [--max-snapshot-age-ms n] [--min-snapshots-to-keep n]
 *   floe ref replace <table> <name> --snapshot id
 *   floe ref drop <table> <name>
 *   floe ref fast-forward <table> <branch> <to>
 *   floe rollback <table> <snapshot-id> [--branch b]
 *   floe set-current <table> <snapshot-id>
 */
import { FloeError } from '../../errors.js';
import { loadFloeConfig } from '../../config/floe-config.js';
import { openCatalog, parseTableName } from '../../iceberg/catalog/open-catalog.js';
import type { Catalog } from '../../iceberg/catalog/catalog.js';
import { createRef, dropRef, fastForward, replaceRef, rollbackTo, setCurrentSnapshot, type RefRetention } from '../../iceberg/table/refs.js';
import { stringifyJsonForOutput } from '../../util/json.js';
import { parse } from '../args.js';
import type { CliIO } from '../main.js';

const OPTIONS = {
  tag: { type: 'boolean' },
  branch: { type: 'string' },
  snapshot: { type: 'string' },
  'max-ref-age-ms': { type: 'string' },
  'max-snapshot-age-ms': { type: 'string' },
  'min-snapshots-to-keep': { type: 'string' },
  catalog: { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean' },
} as const;

function bigintOf(v: unknown, what: string): bigint {
  if (typeof v !== 'string' || !/^-?\d+$/.test(v)) throw new FloeError('INVALID_ARGUMENT', `${what} takes an integer`);
  return BigInt(v);
}

async function withCatalog<T>(values: Record<string, unknown>, fn: (c: Catalog) => Promise<T>): Promise<T> {
  const catalog = await openCatalog(await loadFloeConfig({ configPath: values.config as string | undefined }), values.catalog as string | undefined);
  try {
    return await fn(catalog);
  } finally {
    await catalog.close();
  }
}

/** Runs `floe ref`, `floe rollback` and `floe set-current` (`command` says which). */
export async function refCommand(command: 'ref' | 'rollback' | 'set-current', argv: string[], io: CliIO): Promise<number> {
  const raw = command === 'ref' ? argv.slice(1) : argv;
  const { values, positionals } = parse(raw, OPTIONS as never);
  const sub = command === 'ref' ? argv[0] : command;
  const [tableName, a, b] = positionals;
  if (!tableName) throw new FloeError('INVALID_ARGUMENT', `usage: floe ${command === 'ref' ? `ref ${sub ?? '<list|create|replace|drop|fast-forward>'}` : command} <table> ...`);
  const id = parseTableName(tableName);
  const retention: RefRetention = {};
  if (values['max-ref-age-ms'] !== undefined) retention.maxRefAgeMs = bigintOf(values['max-ref-age-ms'], '--max-ref-age-ms');
  if (values['max-snapshot-age-ms'] !== undefined) retention.maxSnapshotAgeMs = bigintOf(values['max-snapshot-age-ms'], '--max-snapshot-age-ms');
  if (values['min-snapshots-to-keep'] !== undefined) retention.minSnapshotsToKeep = Number(bigintOf(values['min-snapshots-to-keep'], '--min-snapshots-to-keep'));
  return withCatalog(values, async (catalog) => {
    const need = (v: string | undefined, what: string) => {
      if (!v) throw new FloeError('INVALID_ARGUMENT', `floe ${command} ${sub}: missing ${what}`);
      return v;
    };
    let done: string;
    switch (sub) {
      case 'list': {
        const md = (await catalog.loadTable(id)).metadata;
        const refs = Object.entries(md.refs).map(([name, r]) => ({ name, ...r }));
        io.stdout(values.json ? `${stringifyJsonForOutput(refs, 2)}\n` : refs.map((r) => `${r.name}\t${r.type}\t${r['snapshot-id']}`).join('\n') + '\n');
        return 0;
      }
      case 'create': {
        const snapshotId = values.snapshot !== undefined ? bigintOf(values.snapshot, '--snapshot') : undefined;
        const type = values.tag ? 'tag' : 'branch';
        await createRef(catalog, id, need(a, 'ref name'), type, { ...retention, ...(snapshotId !== undefined ? { snapshotId } : {}) });
        done = `created ${type} ${a}`;
        break;
      }
      case 'replace':
        await replaceRef(catalog, id, need(a, 'ref name'), bigintOf(values.snapshot, '--snapshot'), Object.keys(retention).length ? retention : undefined);
        done = `moved ${a} to ${values.snapshot}`;
        break;
      case 'drop':
        await dropRef(catalog, id, need(a, 'ref name'));
        done = `dropped ${a}`;
        break;
      case 'fast-forward':
        await fastForward(catalog, id, need(a, 'branch'), need(b, 'target ref'));
        done = `fast-forwarded ${a} to ${b}`;
        break;
      case 'rollback':
        await rollbackTo(catalog, id, bigintOf(a, 'snapshot id'), (values.branch as string | undefined) ?? 'main');
        done = `rolled back to ${a}`;
        break;
      case 'set-current':
        await setCurrentSnapshot(catalog, id, bigintOf(a, 'snapshot id'));
        done = `current snapshot is now ${a}`;
        break;
      default:
        throw new FloeError('INVALID_ARGUMENT', `unknown ref command '${sub ?? ''}' (list, create, replace, drop, fast-forward)`);
    }
    io.stdout(`${done}\n`);
    return 0;
  });
}
