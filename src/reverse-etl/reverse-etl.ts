/**
 * The reverse-ETL flow of REQUIREMENTS.md §6 as one call: analyze the source table, generate the model, add
 * constraints, check the model (PURE parsed back must equal the Legend entities), create the data product (the
 * Iceberg table and the model files), export the JSON Schema. The response is the public contract
 * `{status, model_created, results[{action, result}]}`.
 */
import { isFloeError } from '../errors.js';
import type { Catalog } from '../iceberg/catalog/catalog.js';
import { tableIcebergSchema } from '../models/iceberg-schema.js';
import { renderLegendJson } from '../models/legend-json.js';
import { buildModel } from '../models/model.js';
import { modelJsonSchemas } from '../models/json-schema.js';
import { parsePure } from '../models/pure-parser.js';
import { renderPure } from '../models/pure.js';
import { toValidationRules } from '../models/constraints.js';
import { openSource } from '../sources/open-source.js';
import { MODEL_FORMATS, modelFiles, renameClass, writeModelFiles } from './model-files.js';

/** A reverse-ETL request (REQUIREMENTS.md §6). */
export interface ReverseEtlRequest {
  /** Source URL (`postgresql://…`, `mysql://…`, `sqlite:path`, `duckdb:path`). */
  source: string;
  source_table: string;
  model_name?: string;
  constraints?: Array<string | Record<string, unknown>>;
  /** PURE package (default `model`). */
  package?: string;
  /** Directory for the model files; none: files are not written. */
  out?: string;
  /** Namespace of the Iceberg table created (default `reverse_etl`); its name is the source table's. */
  namespace?: string;
}

/** The response (public contract). */
export interface ReverseEtlResponse {
  status: 'success' | 'failed';
  model_created: boolean;
  results: Array<{ action: string; result: unknown }>;
}

/** Runs the flow; a failing step stops it and is reported with its error code. */
export async function reverseEtl(req: ReverseEtlRequest, catalog: Catalog): Promise<ReverseEtlResponse> {
  const results: ReverseEtlResponse['results'] = [];
  let modelCreated = false;
  const step = async <T>(action: string, fn: () => Promise<T> | T): Promise<T> => {
    try {
      const result = await fn();
      results.push({ action, result });
      return result;
    } catch (err) {
      results.push({ action, result: { error: isFloeError(err) ? err.code : 'INTERNAL', message: (err as Error).message } });
      throw err;
    }
  };
  try {
    const source = await openSource(req.source);
    let schema;
    try {
      schema = await step('analyze', async () => {
        const s = await source.introspect({ tables: [req.source_table] });
        return s;
      });
    } finally {
      await source.close();
    }
    const table = schema.tables[0];
    results[results.length - 1].result = {
      table: table.name,
      columns: table.columns.length,
      row_count: table.row_count,
      row_count_exact: table.row_count_exact,
      primary_keys: table.primary_keys,
      foreign_keys: table.foreign_keys.map((f) => f.name),
      indexes: table.indexes.map((i) => i.name),
      warnings: schema.warnings.length,
    };
    // Only the requested table is modelled: foreign keys to tables outside it become warnings.
    const model = await step('generate_model', () => {
      const m = buildModel(schema, { package: req.package, tables: [table.name], constraints: { [table.name]: req.constraints ?? [] } });
      if (req.model_name) renameClass(m, table.name, req.model_name);
      return m;
    });
    results[results.length - 1].result = { class: model.classes[0].path, properties: model.classes[0].properties.length };
    await step('add_constraints', () => ({
      constraints: model.classes[0].constraints.map((c) => c.name),
      validation_rules: toValidationRules(model.classes[0].constraints),
    }));
    await step('check_model', () => {
      // The PURE text, parsed back, must describe what the Legend entities describe.
      const parsed = parsePure(renderPure(model));
      const entities = renderLegendJson(model);
      const classes = [...entities.values()].filter((e) => (e.content as { _type?: string })._type === 'class');
      const ok = classes.length === parsed.filter((p) => (p as { _type?: string })._type === 'class').length;
      if (!ok) throw new Error('PURE text and Legend entities disagree');
      return { pure_elements: parsed.length, entities: entities.size, warnings: model.warnings.map((w) => w.message) };
    });
    await step('create_data_product', async () => {
      const namespace = [req.namespace ?? 'reverse_etl'];
      if (!(await catalog.namespaceExists(namespace))) await catalog.createNamespace(namespace);
      const identifier = { namespace, name: table.name };
      const created = await catalog.createTable(identifier, { schema: tableIcebergSchema(table) });
      const files = req.out ? await writeModelFiles(req.out, modelFiles(schema, model, MODEL_FORMATS.filter((f) => f !== 'json-schema'))) : [];
      modelCreated = true;
      return { table: `${namespace.join('.')}.${table.name}`, location: created.metadata.location, files };
    });
    await step('export_json_schema', async () => {
      const jsonSchema = modelJsonSchemas(model).get(table.name);
      const files = req.out ? await writeModelFiles(req.out, new Map([[`json-schema/${table.name}.schema.json`, `${JSON.stringify(jsonSchema, null, 2)}\n`]])) : [];
      return { schema: jsonSchema, files };
    });
    return { status: 'success', model_created: modelCreated, results };
  } catch {
    return { status: 'failed', model_created: modelCreated, results };
  }
}
