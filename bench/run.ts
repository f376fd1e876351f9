/**
 * Entry point of `npm run bench -- <name> [options]`: runs `bench/<name>.ts`. Benchmarks are listed here rather
 * than discovered from the directory, so helper modules are never mistaken for benchmarks and each one carries
 * a description for the listing.
 */
import { UsageError, type BenchmarkModule } from './harness.js';

const BENCHMARKS: Record<string, { description: string; load: () => Promise<BenchmarkModule> }> = {
  versions: {
    description:
      'versioning storage overhead after 100 merge-on-read upserts of 1% of a 1M-row table, plus diff and restore times (options: --rows, --commits, --percent, --previous-versions-max, --format-version, --delete-files position|equality, --granularity file|partition, --page-version v1|v2, --metadata-codec none|gzip, --min-count-to-merge, --keep, --strict)',
    load: () => import('./versions.js'),
  },
  append: {
    description:
      'writeIceberg vs DuckDB COPY over 10M generated rows, and one-file append latency after 0 vs 1,000 snapshots (options: --rows, --rounds, --snapshots, --commit-rounds, --threads, --only throughput|commit, --keep, --strict)',
    load: () => import('./append.js'),
  },
  upsert: {
    description:
      'writeIceberg upsert of 1M rows (90% existing keys) into a 10M-row table: copy-on-write, merge-on-read, equality deletes vs DuckDB INSERT OR REPLACE (options: --rows, --incoming, --rounds, --format-version, --target-file-size, --strict, --keep)',
    load: () => import('./upsert.js'),
  },
  backfill: {
    description:
      'runBackfill from a 5M-row PostgreSQL table (8 mixed columns) into Iceberg vs COPY (SELECT ...) TO STDOUT to /dev/null (options: --rows, --window-size, --parallel, --rounds, --keep, --strict)',
    load: () => import('./backfill.js'),
  },
  scan: {
    description:
      'iceberg_scan vs read_parquet over the same 10M-row Parquet files (options: --rows, --files, --rounds, --threads, --strict, --explain)',
    load: () => import('./scan.js'),
  },
};

function usage(): string {
  const names = Object.keys(BENCHMARKS);
  const width = Math.max(...names.map((n) => n.length));
  return [
    'usage: npm run bench -- <name> [options]',
    '',
    'benchmarks:',
    ...names.map((n) => `  ${n.padEnd(width)}  ${BENCHMARKS[n].description}`),
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    console.error(usage());
    return 2;
  }
  const bench = Object.prototype.hasOwnProperty.call(BENCHMARKS, name) ? BENCHMARKS[name] : undefined;
  if (!bench) {
    console.error(`unknown benchmark: ${name}\n\n${usage()}`);
    return 2;
  }
  const mod = await bench.load();
  return mod.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${usage()}`);
      process.exitCode = 2;
      return;
    }
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  },
);
