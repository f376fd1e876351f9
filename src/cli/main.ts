/**
 * The `floe` command: parses arguments, runs one operation, prints its result, and maps errors to one clear line
 * and an exit status (ARCHITECTURE.md convention 12).
 */
import { FloeError, isFloeError } from '../errors.js';
import { exitCodeFor } from './exit-codes.js';
import { sqlCommand } from './commands/sql.js';
import { tableCommand } from './commands/table.js';
import { quickstartCommand } from './commands/quickstart.js';
import { writeCommand } from './commands/write.js';
import { deleteCommand } from './commands/delete.js';
import { snapshotsCommand } from './commands/snapshots.js';
import { refCommand } from './commands/ref.js';
import { introspectCommand } from './commands/introspect.js';
import { generateCommand } from './commands/generate.js';
import { reverseEtlCommand } from './commands/reverse-etl.js';
import { versionCommand } from './commands/version.js';
import { diffCommand } from './commands/diff.js';
import { restoreCommand } from './commands/restore.js';
import { validateCommand } from './commands/validate.js';
import { backfillCommand } from './commands/backfill.js';
import { demoCommand } from './commands/demo.js';
import { VERSION } from '../version.js';

/** Output sinks, injectable for tests. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const defaultIO: CliIO = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

const HELP = `floe ${VERSION}: Apache Iceberg for Node.js on DuckDB

Usage:
  floe quickstart [--warehouse .floe/warehouse] [--rows 100000]
      Write a demo Iceberg table with DuckDB and floe, then query and inspect it.
  floe sql "<SQL>" [--format table|json|csv|tsv] [--file script.sql]
      Run DuckDB SQL; iceberg_scan(), iceberg_metadata() and iceberg_snapshots() read Iceberg tables.
  floe write <namespace.table> --from <file... | 'sql query'> [--mode append|overwrite] [--partition 'day(ts),bucket(16,id)']
             [--overwrite-partitions | --overwrite-filter "<predicate>"] [--schema-evolution strict|permissive]
             [--no-create] [--branch b] [--catalog name] [--config floe.yaml] [--json]
      Write rows to an Iceberg table in the configured catalog (created on first write).
      --mode upsert --key id[,id2] [--delete-files equality]: update rows with those keys, insert the others.
      --mode merge --merge <spec.yaml | inline YAML/JSON> [--key id]: SQL MERGE clauses (when_matched, when_not_matched).
  floe delete <namespace.table> --where "<predicate>" [--mode copy-on-write|merge-on-read] [--branch b] [--json]
      Delete the rows matching a DuckDB SQL predicate (position deletes / deletion vectors in merge-on-read).
  floe snapshots <table> [--json]
      List a table's snapshots and the refs pointing at them.
  floe ref list|create|replace|drop|fast-forward <table> ... [--tag] [--snapshot id] [--max-ref-age-ms n]
  floe rollback <table> <snapshot-id> [--branch b]   floe set-current <table> <snapshot-id>
      Branches and tags, fast-forward, rollback and set-current-snapshot of a catalog table.
  floe version create <table> [--name n] [--snapshot id] [--retention 30d]   floe version list <table> [--json]
  floe diff <table> <from> [<to>] [--as-of v] [--key id[,..]] [--rows [N]] [--json]   floe restore <table> <version>
      Versions (tags) of a table, their differences (rows and schema), and point-in-time restore as a new snapshot.
  floe table storage <table> [--json]
      Bytes of metadata, manifests, delete and data files over all retained snapshots, and versioning overhead.
  floe table inspect <table | table path | metadata file> [--json] [--snapshot <id>] [--ref <name>]
      Show a table's metadata, history, refs, and current data and delete files.
  floe table create <ns.table> --from-source <url> --source-table <t>
  floe table alter <ns.table> add-column <name> <type> [--after col] | rename-column <old> <new>
                   | drop-column <name> [--allow-partition-source] | require-column <cols> | promote <name> <type>
                   | set-identifier <cols> | add-partition <expr> | drop-partition <f>
                   | rename-partition <old> <new> | sort-by '<col> [asc|desc] [nulls first|last], ...'
      Create a table from a database table; evolve a table's schema (old files keep reading by field id).

  floe introspect <url> [--table t] [--json] [--exact-counts]
      Read a database's schema (postgresql://, mysql://, sqlite:path, duckdb:path).
  floe generate <url> --format pure,legend-json,json-schema,iceberg [--table t] [--package p] [--constraints a,b] [--out dir] [--check]
      Generate Legend PURE, Legend entities, JSON Schema and Iceberg schemas; --check reports drift (exit 10).
  floe reverse-etl --source <url> --table t [--model Name] [--constraints qtyPositive,validTicker] [--out dir]
      Analyze, model, constrain, check, create the Iceberg table and model files, export the JSON Schema.
  floe validate <source-url | file | namespace.table> [--table t] [--rules rules.yaml] [--sample 1000] [--json]
      Validate a sample against the source's constraints and a rules file (exit 11 when a rule fails).
  floe backfill --source <url> --table t --target <ns.table | duckdb:path[#table]> [--window-size N] [--parallel N]
                [--validate-sample 100] [--rules r.yaml] [--mode append|overwrite|upsert] [--key k] [--run-id id] [--json]
  floe backfill plan|run|status|resume|cancel ...
      Plan, validate a sample, load windows exactly once (resumable), and record an audit manifest.
  floe demo [--rows 100000]
      Create a sample trading database, generate its models, validate and backfill it, query and time travel.

Options:
  --verbose   print the stack trace of an error
  --help      show this help
  --version   print the version
`;

/**
 * The usage entries of HELP for one command: an entry is a `  floe ...` line and the more deeply indented lines
 * after it; an entry belongs to `command` when one of its usage lines names it (`rollback` shares the ref entry).
 * Undefined for a command HELP does not name.
 */
export function commandHelp(command: string): string | undefined {
  const lines = HELP.split('\n');
  const entries: string[][] = [];
  for (const line of lines) {
    if (/^  floe /.test(line)) entries.push([line]);
    else if (/^ {5,}\S/.test(line) && entries.length > 0 && line.length > 0) entries[entries.length - 1].push(line);
    else entries.push([]);
  }
  if (!/^[a-z-]+$/.test(command)) return undefined;
  const names = new RegExp(`(^|\\s)floe ${command}(\\s|$)`);
  const mine = entries.filter((e) => e.some((l) => !/^ {5,}/.test(l) && names.test(l)));
  if (mine.length === 0) return undefined;
  return `${mine.map((e) => e.join('\n')).join('\n')}\n\nRun 'floe --help' for every command.\n`;
}

/** `--help` / `-h` among a command's arguments (before a `--` that ends the options). */
function asksForHelp(rest: string[]): boolean {
  const end = rest.indexOf('--');
  return (end < 0 ? rest : rest.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** Runs the CLI with `argv` (without `node` and the script) and returns the exit status. */
export async function main(argv: string[], io: CliIO = defaultIO): Promise<number> {
  const verbose = argv.includes('--verbose');
  const args = argv.filter((a) => a !== '--verbose');
  try {
    const [command, ...rest] = args;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout(HELP);
      return 0;
    }
    if (command === '--version' || command === '-v') {
      io.stdout(`${VERSION}\n`);
      return 0;
    }
    if (asksForHelp(rest)) {
      const help = commandHelp(command);
      if (help === undefined) throw new FloeError('INVALID_ARGUMENT', `unknown command '${command}' (run 'floe --help')`);
      io.stdout(help);
      return 0;
    }
    switch (command) {
      case 'sql':
        return await sqlCommand(rest, io);
      case 'table':
        return await tableCommand(rest, io);
      case 'quickstart':
        return await quickstartCommand(rest, io);
      case 'write':
        return await writeCommand(rest, io);
      case 'delete':
        return await deleteCommand(rest, io);
      case 'snapshots':
        return await snapshotsCommand(rest, io);
      case 'introspect':
        return await introspectCommand(rest, io);
      case 'generate':
        return await generateCommand(rest, io);
      case 'reverse-etl':
        return await reverseEtlCommand(rest, io);
      case 'validate':
        return await validateCommand(rest, io);
      case 'backfill':
        return await backfillCommand(rest, io);
      case 'demo':
        return await demoCommand(rest, io);
      case 'version':
        return await versionCommand(rest, io);
      case 'diff':
        return await diffCommand(rest, io);
      case 'restore':
        return await restoreCommand(rest, io);
      case 'ref':
      case 'rollback':
      case 'set-current':
        return await refCommand(command, rest, io);
      default:
        throw new FloeError('INVALID_ARGUMENT', `unknown command '${command}' (run 'floe --help')`);
    }
  } catch (err) {
    const code = isFloeError(err) ? err.code : undefined;
    const message = err instanceof Error ? err.message : String(err);
    // One line: the code, then the first line of the message.
    io.stderr(`floe: ${code ?? 'INTERNAL'}: ${message.split('\n')[0]}\n`);
    if (verbose && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
    return exitCodeFor(code);
  }
}
