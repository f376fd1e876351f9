/**
 * Text rendering of a table inspection for people.
 */
import type { TableInspection } from '../../iceberg/table/inspect.js';
import type { IcebergType } from '../../iceberg/spec/types.js';

function typeString(t: IcebergType): string {
  if (typeof t === 'string') return t;
  if (t.type === 'struct') return `struct<${t.fields.map((f) => `${f.name}: ${typeString(f.type)}`).join(', ')}>`;
  if (t.type === 'list') return `list<${typeString(t.element)}>`;
  return `map<${typeString(t.key)}, ${typeString(t.value)}>`;
}

/** Renders an inspection as sections of aligned text. */
export function renderInspection(r: TableInspection): string {
  const out: string[] = [];
  out.push(`Table ${r.location}`);
  out.push(`  metadata        ${r.metadata_location}`);
  out.push(`  format version  ${r.format_version}`);
  out.push(`  uuid            ${r.table_uuid}`);
  out.push(`  last updated    ${new Date(Number(r.last_updated_ms)).toISOString()}`);
  out.push(`  current snapshot ${r.current_snapshot_id ?? '(none)'}`);
  const schema = r.schemas.find((s) => s['schema-id'] === r.current_schema_id);
  out.push('', `Schema ${r.current_schema_id} (of ${r.schemas.length})`);
  for (const f of schema?.fields ?? []) {
    const key = schema?.['identifier-field-ids']?.includes(f.id) ? ' [identifier]' : '';
    out.push(`  ${String(f.id).padStart(4)}  ${f.name}: ${typeString(f.type)}${f.required ? ' NOT NULL' : ''}${key}`);
  }
  out.push('', 'Partition specs');
  for (const s of r.partition_specs) {
    const fields = s.fields.map((f) => `${f.name}=${f.transform}(${f['source-id']})`).join(', ') || 'unpartitioned';
    out.push(`  ${s['spec-id']}${s['spec-id'] === r.default_spec_id ? '*' : ' '} ${fields}`);
  }
  out.push('', 'Sort orders');
  for (const o of r.sort_orders) {
    const fields = o.fields.map((f) => `${f.transform}(${f['source-id']}) ${f.direction} ${f['null-order']}`).join(', ') || 'unsorted';
    out.push(`  ${o['order-id']}${o['order-id'] === r.default_sort_order_id ? '*' : ' '} ${fields}`);
  }
  out.push('', 'Properties');
  for (const [k, v] of Object.entries(r.properties)) out.push(`  ${k} = ${v}`);
  out.push('', `Snapshots (${r.snapshots.length})`);
  for (const s of r.snapshots) {
    const added = s.summary['added-records'] ? ` +${s.summary['added-records']} rows` : '';
    const deleted = s.summary['deleted-records'] ? ` -${s.summary['deleted-records']} rows` : '';
    out.push(
      `  ${s.snapshot_id}  parent ${s.parent_snapshot_id ?? '-'}  seq ${s.sequence_number}  ${new Date(Number(s.timestamp_ms)).toISOString()}  ${s.operation}${added}${deleted}`,
    );
  }
  out.push('', 'Refs');
  for (const [name, ref] of Object.entries(r.refs)) out.push(`  ${name} (${ref.type}) -> ${ref.snapshot_id}`);
  out.push('', `Files: ${r.totals.data_files} data (${r.totals.records} rows, ${r.totals.data_bytes} bytes), ${r.totals.delete_files} delete (${r.totals.delete_bytes} bytes)`);
  for (const f of r.files) {
    const part = Object.entries(f.partition).map(([k, v]) => `${k}=${v ?? 'null'}`).join('/');
    out.push(`  ${f.content.padEnd(16)} ${String(f.record_count).padStart(10)} rows ${String(f.file_size_in_bytes).padStart(10)} B  ${part ? `${part}  ` : ''}${f.path}`);
  }
  return `${out.join('\n')}\n`;
}
