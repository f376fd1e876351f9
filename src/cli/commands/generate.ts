/**
 * `floe generate <url> [--table t...] --format pure,legend-json,json-schema,iceberg [--package model::trading]
 * [--constraints qtyPositive,validTicker] [--constraints-file c.yaml] [--out dir] [--check]`: models of a
 * database's tables. Without `--out`, prints them. `--check` compares the database with the schema saved in
 * `--out` by an earlier run and exits 10 when it drifted.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { FloeError } from '../../errors.js';
import { compareSchemas } from '../../models/drift.js';
import type { ConstraintSpec } from '../../models/constraints.js';
import { openSource } from '../../sources/open-source.js';
import type { SourceSchema } from '../../sources/source-schema.js';
import { SOURCE_SCHEMA_FILE, generateModelFiles, parseFormats, writeModelFiles } from '../../reverse-etl/model-files.js';
import { parse } from '../args.js';
import type { CliIO } from '../main.js';

/** Exit status when `--check` finds drift. */
export const DRIFT_EXIT = 10;

async function constraintSpecs(values: Record<string, unknown>, tables: string[]): Promise<Record<string, ConstraintSpec[]>> {
  const out: Record<string, ConstraintSpec[]> = {};
  const names = typeof values.constraints === 'string' ? values.constraints.split(',').map((s) => s.trim()).filter(Boolean) : [];
  if (names.length > 0) {
    if (tables.length === 0) throw new FloeError('INVALID_ARGUMENT', '--constraints needs --table to say which table they apply to');
    for (const t of tables) out[t] = [...names];
  }
  if (typeof values['constraints-file'] === 'string') {
    let doc: unknown;
    try {
      doc = parseYaml(await readFile(values['constraints-file'], 'utf8'));
    } catch (cause) {
      throw new FloeError('CONFIG_INVALID', `cannot read constraints file ${values['constraints-file']}`, { cause });
    }
    // `{table: [constraint...]}` or a list applying to every --table.
    if (Array.isArray(doc)) for (const t of tables) out[t] = [...(out[t] ?? []), ...(doc as ConstraintSpec[])];
    else if (doc && typeof doc === 'object') for (const [t, list] of Object.entries(doc)) out[t] = [...(out[t] ?? []), ...(list as ConstraintSpec[])];
  }
  return out;
}

/** Runs `floe generate`. */
export async function generateCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    table: { type: 'string', multiple: true },
    format: { type: 'string' },
    package: { type: 'string' },
    constraints: { type: 'string' },
    'constraints-file': { type: 'string' },
    out: { type: 'string' },
    check: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (positionals.length !== 1) throw new FloeError('INVALID_ARGUMENT', 'usage: floe generate <url> --format pure|legend-json|json-schema|iceberg [--table t] [--out dir]');
  const tables = (values.table as unknown as string[] | undefined) ?? [];
  const source = await openSource(positionals[0]);
  let schema: SourceSchema;
  try {
    schema = await source.introspect(tables.length ? { tables } : {});
  } finally {
    await source.close();
  }
  if (values.check) {
    if (!values.out) throw new FloeError('INVALID_ARGUMENT', '--check needs --out: the directory of the earlier generation');
    let previous: SourceSchema;
    try {
      previous = JSON.parse(await readFile(join(values.out as string, SOURCE_SCHEMA_FILE), 'utf8')) as SourceSchema;
    } catch (cause) {
      throw new FloeError('NOT_FOUND', `no earlier generation in ${String(values.out)} (${SOURCE_SCHEMA_FILE} missing)`, { cause });
    }
    const report = compareSchemas(previous, schema);
    if (values.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    else if (!report.drifted) io.stdout('no drift\n');
    else for (const c of report.changes) io.stdout(`${c.breaking ? 'BREAKING' : 'ok      '} ${c.kind} ${c.table}${c.column ? `.${c.column}` : ''}: ${c.detail}\n`);
    return report.drifted ? DRIFT_EXIT : 0;
  }
  if (!values.format) throw new FloeError('INVALID_ARGUMENT', '--format is required (pure, legend-json, json-schema, iceberg; comma-separated)');
  const formats = parseFormats(values.format as string);
  const { model, files } = generateModelFiles(schema, formats, {
    package: values.package as string | undefined,
    tables: tables.length ? tables : undefined,
    constraints: await constraintSpecs(values, tables),
  });
  for (const w of model.warnings) io.stderr(`floe: warning ${w.code}: ${w.message}\n`);
  if (values.out) {
    const written = await writeModelFiles(values.out as string, files);
    io.stdout(`${written.map((p) => `wrote ${p}`).join('\n')}\n`);
  } else {
    for (const [path, content] of files) if (path !== SOURCE_SCHEMA_FILE) io.stdout(formats.length === 1 && files.size <= 2 ? content : `// ${path}\n${content}\n`);
  }
  return 0;
}
