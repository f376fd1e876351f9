/**
 * A structured description of a table for people and programs (`floe table inspect`): metadata facts, history,
 * refs, and the live data and delete files of the current snapshot with their partition values.
 */
import type { Schema } from '../spec/schema.js';
import type { PartitionSpec } from '../spec/partition-spec.js';
import type { SortOrder } from '../spec/sort-order.js';
import type { PrimitiveValue } from '../spec/types.js';
import { indexById } from '../spec/schema.js';
import { parseTransform, resultType, transformToHumanString } from '../spec/transforms.js';
import { EntryStatus } from '../avro/manifest.js';
import type { Table } from './table.js';
import { selectSnapshot, type SnapshotSelector } from './table.js';
import { loadSnapshotManifests } from './snapshot-manifests.js';

/** One live file of the inspected snapshot. */
export interface InspectedFile {
  content: 'data' | 'position_deletes' | 'equality_deletes';
  path: string;
  format: string;
  record_count: bigint;
  file_size_in_bytes: bigint;
  spec_id: number;
  /** Partition values in human-readable form (`day=2024-01-02`), by partition field name. */
  partition: Record<string, string | null>;
  data_sequence_number: bigint | null;
  equality_ids?: number[];
  referenced_data_file?: string;
}

/** Everything `floe table inspect` shows. */
export interface TableInspection {
  metadata_location: string;
  location: string;
  format_version: number;
  table_uuid: string;
  last_updated_ms: bigint;
  current_snapshot_id: bigint | null;
  current_schema_id: number;
  schemas: Schema[];
  default_spec_id: number;
  partition_specs: PartitionSpec[];
  default_sort_order_id: number;
  sort_orders: SortOrder[];
  properties: Record<string, string>;
  snapshots: Array<{
    snapshot_id: bigint;
    parent_snapshot_id: bigint | null;
    sequence_number: bigint;
    timestamp_ms: bigint;
    operation: string;
    summary: Record<string, string>;
    manifest_list: string | null;
  }>;
  refs: Record<string, { snapshot_id: bigint; type: string }>;
  files: InspectedFile[];
  totals: { data_files: number; delete_files: number; records: bigint; data_bytes: bigint; delete_bytes: bigint };
}

const CONTENT = ['data', 'position_deletes', 'equality_deletes'] as const;

function humanPartition(spec: PartitionSpec | undefined, schema: Schema, values: Map<number, PrimitiveValue | null>) {
  const out: Record<string, string | null> = {};
  if (!spec) return out;
  const byId = indexById(schema);
  for (const f of spec.fields) {
    const v = values.get(f['field-id']);
    if (v === null || v === undefined) {
      out[f.name] = null;
      continue;
    }
    try {
      const t = parseTransform(f.transform);
      const src = byId.get(f['source-id'])?.field.type;
      const source = typeof src === 'string' ? src : undefined;
      out[f.name] = transformToHumanString(t, v, source ? resultType(t, source) : undefined);
    } catch {
      out[f.name] = v instanceof Uint8Array ? Buffer.from(v).toString('hex') : String(v);
    }
  }
  return out;
}

/** Describes a table, at the current snapshot or the one selected. */
export async function inspectTable(table: Table, selector: SnapshotSelector = {}): Promise<TableInspection> {
  const md = table.metadata;
  const snapshot = selectSnapshot(md, selector);
  const specs = new Map(md['partition-specs'].map((s) => [s['spec-id'], s] as const));
  const schema = md.schemas.find((s) => s['schema-id'] === md['current-schema-id']) ?? md.schemas[0];
  const files: InspectedFile[] = [];
  if (snapshot) {
    for (const { manifest, entries } of await loadSnapshotManifests(table, snapshot)) {
      for (const e of entries) {
        if (e.status === EntryStatus.DELETED) continue;
        const f = e.data_file;
        const file: InspectedFile = {
          content: CONTENT[f.content],
          path: f.file_path,
          format: f.file_format,
          record_count: f.record_count,
          file_size_in_bytes: f.file_size_in_bytes,
          spec_id: manifest.partition_spec_id,
          partition: humanPartition(specs.get(manifest.partition_spec_id), schema, f.partition),
          data_sequence_number: e.sequence_number,
        };
        if (f.equality_ids) file.equality_ids = f.equality_ids;
        if (f.referenced_data_file) file.referenced_data_file = f.referenced_data_file;
        files.push(file);
      }
    }
  }
  const data = files.filter((f) => f.content === 'data');
  const dels = files.filter((f) => f.content !== 'data');
  const sum = (xs: InspectedFile[], k: 'record_count' | 'file_size_in_bytes') => xs.reduce((a, f) => a + f[k], 0n);
  return {
    metadata_location: table.metadataLocation,
    location: md.location,
    format_version: md['format-version'],
    table_uuid: md['table-uuid'],
    last_updated_ms: md['last-updated-ms'],
    current_snapshot_id: snapshot?.['snapshot-id'] ?? null,
    current_schema_id: md['current-schema-id'],
    schemas: md.schemas,
    default_spec_id: md['default-spec-id'],
    partition_specs: md['partition-specs'],
    default_sort_order_id: md['default-sort-order-id'],
    sort_orders: md['sort-orders'],
    properties: md.properties,
    snapshots: md.snapshots.map((s) => {
      const { operation, ...summary } = s.summary ?? { operation: 'append' };
      return {
        snapshot_id: s['snapshot-id'],
        parent_snapshot_id: s['parent-snapshot-id'] ?? null,
        sequence_number: s['sequence-number'],
        timestamp_ms: s['timestamp-ms'],
        operation,
        summary,
        manifest_list: s['manifest-list'] ?? null,
      };
    }),
    refs: Object.fromEntries(Object.entries(md.refs).map(([k, r]) => [k, { snapshot_id: r['snapshot-id'], type: r.type }])),
    files,
    totals: {
      data_files: data.length,
      delete_files: dels.length,
      records: sum(data, 'record_count'),
      data_bytes: sum(data, 'file_size_in_bytes'),
      delete_bytes: sum(dels, 'file_size_in_bytes'),
    },
  };
}
