/**
 * The files `floe generate` writes: PURE text, Legend entities laid out as a Legend project, JSON Schemas, Iceberg
 * schemas, and the introspected schema itself (for `--check` drift detection later). All content is computed
 * before anything is written, and each file is written atomically, so a failure leaves nothing half-written.
 */
import { FloeError } from '../errors.js';
import { LocalFileIO } from '../iceberg/io/local-file-io.js';
import { joinPath } from '../iceberg/io/file-io.js';
import { renderLegendJson } from '../models/legend-json.js';
import { buildModel, type FloeModel, type ModelOptions } from '../models/model.js';
import { modelJsonSchemas } from '../models/json-schema.js';
import { renderPure } from '../models/pure.js';
import { tableIcebergSchema } from '../models/iceberg-schema.js';
import type { SourceSchema } from '../sources/source-schema.js';
import { stringifyJson } from '../util/json.js';

/** Output formats of `floe generate`. */
export type ModelFormat = 'pure' | 'legend-json' | 'json-schema' | 'iceberg';

/** All formats. */
export const MODEL_FORMATS: ModelFormat[] = ['pure', 'legend-json', 'json-schema', 'iceberg'];

/** Where the introspected schema is kept beside generated models (read by `--check`). */
export const SOURCE_SCHEMA_FILE = 'floe-source-schema.json';

/** Checks format names. */
export function parseFormats(text: string): ModelFormat[] {
  const out = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const f of out) {
    if (!MODEL_FORMATS.includes(f as ModelFormat)) {
      throw new FloeError('INVALID_ARGUMENT', `unknown format '${f}' (${MODEL_FORMATS.join(', ')})`, { context: { format: f } });
    }
  }
  return out as ModelFormat[];
}

/** Renames the class of `table` to `name` (and its association ends). */
export function renameClass(model: FloeModel, table: string, name: string): void {
  const cls = model.classes.find((c) => c.table.name === table);
  if (!cls) throw new FloeError('TABLE_NOT_FOUND', `no table ${table} in the model`, { context: { table } });
  if (!/^[A-Z][A-Za-z0-9_]*$/.test(name)) throw new FloeError('INVALID_ARGUMENT', `model name '${name}' is not a PURE class name`);
  const old = cls.path;
  cls.name = name;
  cls.path = `${model.package}::${name}`;
  for (const a of model.associations) for (const e of a.ends) if (e.target === old) e.target = cls.path;
}

/** The files (relative path → content) for a model in the given formats. */
export function modelFiles(schema: SourceSchema, model: FloeModel, formats: ModelFormat[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const f of formats) {
    if (f === 'pure') files.set('model.pure', renderPure(model));
    if (f === 'legend-json') for (const [path, entity] of renderLegendJson(model)) files.set(path, `${JSON.stringify(entity, null, 2)}\n`);
    if (f === 'json-schema') for (const [table, s] of modelJsonSchemas(model)) files.set(`json-schema/${table}.schema.json`, `${JSON.stringify(s, null, 2)}\n`);
    if (f === 'iceberg') {
      for (const c of model.classes) files.set(`iceberg/${c.table.name}.schema.json`, `${stringifyJson(tableIcebergSchema(c.table), 2)}\n`);
    }
  }
  files.set(SOURCE_SCHEMA_FILE, `${JSON.stringify(schema, null, 2)}\n`);
  return files;
}

/** Builds the model and its files. */
export function generateModelFiles(schema: SourceSchema, formats: ModelFormat[], options: ModelOptions = {}): { model: FloeModel; files: Map<string, string> } {
  const model = buildModel(schema, options);
  return { model, files: modelFiles(schema, model, formats) };
}

/** Writes generated files under `dir` (each atomically). */
export async function writeModelFiles(dir: string, files: Map<string, string>): Promise<string[]> {
  const io = new LocalFileIO();
  const written: string[] = [];
  for (const [rel, content] of files) {
    const path = joinPath(dir, rel);
    await io.write(path, new TextEncoder().encode(content));
    written.push(path);
  }
  return written;
}
