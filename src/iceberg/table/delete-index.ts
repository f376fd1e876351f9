/**
 * Assignment of delete files to data files by the spec's scoping rules (spec: "Scan Planning"):
 * - a position delete file or deletion vector applies to a data file whose data sequence number is less than or
 *   equal to the delete's, in the same partition (same spec id and partition tuple), and only to the file it
 *   references when `referenced_data_file` is set (deletion vectors always reference one);
 * - an equality delete file applies to data files whose data sequence number is strictly lower than the delete's,
 *   in the same partition, or to every data file when the delete file's spec is unpartitioned.
 */
import type { DataFile } from '../avro/manifest.js';
import type { PartitionSpec } from '../spec/partition-spec.js';
import { isUnpartitioned } from '../spec/partition-spec.js';
import type { PrimitiveValue } from '../spec/types.js';

/** A live file of a snapshot with what planning needs to know about it. */
export interface PlannedFile {
  file: DataFile;
  /** The path to read (recorded path relocated when asked). */
  readPath: string;
  specId: number;
  dataSequenceNumber: bigint;
}

function valueKey(v: PrimitiveValue | null | undefined): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof Uint8Array) return `b:${Buffer.from(v).toString('hex')}`;
  // Quoted, so a string value cannot imitate the `,` and `=` that separate fields in the key.
  if (typeof v === 'string') return `string:${JSON.stringify(v)}`;
  // -0 and 0 are distinct partition values (spec: "-0 < 0" in float ordering); String(-0) is "0".
  if (Object.is(v, -0)) return 'number:-0';
  return `${typeof v}:${String(v)}`;
}

/** A stable key for a file's spec id and partition tuple. */
export function partitionKey(specId: number, partition: Map<number, PrimitiveValue | null>): string {
  const ids = [...partition.keys()].sort((a, b) => a - b);
  return `${specId}|${ids.map((id) => `${id}=${valueKey(partition.get(id))}`).join(',')}`;
}

/** Index of a snapshot's delete files for fast lookup per data file. */
export class DeleteIndex {
  private readonly byPartition = new Map<string, PlannedFile[]>();
  private readonly byReferencedFile = new Map<string, PlannedFile[]>();
  private readonly globalEquality: PlannedFile[] = [];

  constructor(deletes: PlannedFile[], specs: Map<number, PartitionSpec>) {
    for (const d of deletes) {
      const f = d.file;
      if (f.content === 1 && f.referenced_data_file) {
        push(this.byReferencedFile, f.referenced_data_file, d);
      } else if (f.content === 2 && isUnpartitionedSpec(specs.get(d.specId))) {
        this.globalEquality.push(d);
      } else {
        push(this.byPartition, partitionKey(d.specId, f.partition), d);
      }
    }
  }

  /** True when the snapshot has no delete files. */
  get isEmpty(): boolean {
    return this.byPartition.size === 0 && this.byReferencedFile.size === 0 && this.globalEquality.length === 0;
  }

  /** The delete files that apply to a data file. */
  deletesFor(data: PlannedFile): PlannedFile[] {
    const out: PlannedFile[] = [];
    const seq = data.dataSequenceNumber;
    const consider = (d: PlannedFile) => {
      if (d.file.content === 1 ? d.dataSequenceNumber >= seq : d.dataSequenceNumber > seq) out.push(d);
    };
    for (const d of this.byReferencedFile.get(data.file.file_path) ?? []) consider(d);
    for (const d of this.byPartition.get(partitionKey(data.specId, data.file.partition)) ?? []) consider(d);
    for (const d of this.globalEquality) consider(d);
    return out;
  }
}

function isUnpartitionedSpec(spec: PartitionSpec | undefined): boolean {
  return spec === undefined || isUnpartitioned(spec);
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}
