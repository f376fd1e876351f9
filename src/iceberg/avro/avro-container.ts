/**
 * Avro object container files (Avro spec "Object Container Files") for Iceberg manifests and manifest lists.
 *
 * Values are encoded and decoded by `avsc`; this file only frames them (header, blocks, sync markers) so that
 * reading is synchronous over bytes that FileIO already fetched, truncated files fail with a clear code, and the
 * header keeps the *raw* schema JSON: Iceberg resolves manifest fields by their `field-id` attributes, which
 * avsc's own schema export drops.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import avro from 'avsc';
import { FloeError } from '../../errors.js';

/** Avro `long` as an exact `bigint` (avsc's default long loses precision above 2^53). */
export const bigintLongType = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(0),
  toBuffer: (n: bigint | number) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(n), 0);
    return b;
  },
  fromJSON: (v: unknown) => BigInt(v as string),
  toJSON: (n: bigint) => (n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n.toString()),
  isValid: (n: unknown) => typeof n === 'bigint' || (typeof n === 'number' && Number.isInteger(n)),
  compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
});

/** A raw Avro schema as JSON (records keep their `field-id` attributes). */
export type AvroSchema = string | AvroSchema[] | { [key: string]: unknown };

/** Builds an avsc type from a raw schema with floe's BigInt-safe long. Logical types decode as their base type. */
export function avroType(schema: AvroSchema): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, {
    registry: { long: bigintLongType },
    wrapUnions: false,
    // `{"type": "long"}` (the object form DuckDB writes) bypasses the registry: map it to the exact long too.
    typeHook: (s: avro.Schema) =>
      typeof s === 'object' && s !== null && !Array.isArray(s) && (s as { type?: unknown }).type === 'long'
        ? bigintLongType
        : undefined,
  });
}

const TYPE_CACHE = new Map<string, avro.Type>();
const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]); // "Obj" 1
const HEADER_TYPE = avro.Type.forSchema({
  type: 'record',
  name: 'org.apache.avro.file.Header',
  fields: [
    { name: 'magic', type: { type: 'fixed', name: 'Magic', size: 4 } },
    { name: 'meta', type: { type: 'map', values: 'bytes' } },
    { name: 'sync', type: { type: 'fixed', name: 'Sync', size: 16 } },
  ],
});

/** A decoded container file. */
export interface AvroContainer {
  /** The writer's schema exactly as stored in the header. */
  schema: AvroSchema;
  /** Header key-value metadata other than `avro.*`, as UTF-8 strings (Iceberg writes `schema`, `partition-spec`...). */
  meta: Record<string, string>;
  codec: string;
  records: unknown[];
}

/** Decodes a whole container file. Throws `AVRO_INVALID` for bad magic, truncation or corrupt blocks. */
export function readAvroContainer(bytes: Uint8Array, where = 'avro file'): AvroContainer {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 4 || !buf.subarray(0, 4).equals(MAGIC)) {
    throw new FloeError('AVRO_INVALID', `${where}: not an Avro container file (bad magic)`, { context: { path: where } });
  }
  let header: { meta: Record<string, Buffer>; sync: Buffer };
  let pos: number;
  try {
    const res = HEADER_TYPE.decode(buf, 0);
    if (res.offset < 0) throw new Error('truncated header');
    header = res.value as typeof header;
    pos = res.offset;
  } catch (cause) {
    throw new FloeError('AVRO_INVALID', `${where}: truncated or corrupt Avro header`, { cause, context: { path: where } });
  }
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(header.meta)) if (!k.startsWith('avro.')) meta[k] = v.toString('utf8');
  const codec = header.meta['avro.codec']?.toString('utf8') || 'null';
  if (codec !== 'null' && codec !== 'deflate') {
    throw new FloeError('UNSUPPORTED', `${where}: Avro codec '${codec}' is not supported (null and deflate are)`, {
      context: { path: where, codec },
    });
  }
  let schema: AvroSchema;
  let type: avro.Type;
  try {
    const text = header.meta['avro.schema']?.toString('utf8') ?? '';
    schema = JSON.parse(text) as AvroSchema;
    // Compiling an avsc type costs ~1 ms; every manifest of a table shares one schema text.
    let cached = TYPE_CACHE.get(text);
    if (!cached) {
      cached = avroType(schema);
      if (TYPE_CACHE.size >= 64) TYPE_CACHE.delete(TYPE_CACHE.keys().next().value as string);
      TYPE_CACHE.set(text, cached);
    }
    type = cached;
  } catch (cause) {
    throw new FloeError('AVRO_INVALID', `${where}: invalid Avro schema in header`, { cause, context: { path: where } });
  }
  const records: unknown[] = [];
  const longType = avro.Type.forSchema('long');
  while (pos < buf.length) {
    try {
      const count = longType.decode(buf, pos);
      if (count.offset < 0) throw new Error('truncated block count');
      const size = longType.decode(buf, count.offset);
      if (size.offset < 0) throw new Error('truncated block size');
      const start = size.offset;
      const end = start + (size.value as number);
      if (end + 16 > buf.length) throw new Error('truncated block');
      if (!buf.subarray(end, end + 16).equals(header.sync)) throw new Error('sync marker mismatch');
      let block = buf.subarray(start, end);
      if (codec === 'deflate') block = inflateRawSync(block);
      let p = 0;
      for (let i = 0; i < (count.value as number); i++) {
        const r = type.decode(block, p);
        if (r.offset < 0) throw new Error('truncated record');
        records.push(r.value);
        p = r.offset;
      }
      pos = end + 16;
    } catch (cause) {
      throw new FloeError('AVRO_INVALID', `${where}: corrupt or truncated Avro data block`, {
        cause,
        context: { path: where },
      });
    }
  }
  return { schema, meta, codec, records };
}

/** Options for {@link writeAvroContainer}. */
export interface AvroWriteOptions {
  codec?: 'null' | 'deflate';
  meta?: Record<string, string>;
  /** Records per block. */
  blockSize?: number;
}

/** Encodes records into a container file whose header holds `schema` verbatim (field ids kept). */
export function writeAvroContainer(schema: AvroSchema, records: unknown[], opts: AvroWriteOptions = {}): Uint8Array {
  const type = avroType(schema);
  const codec = opts.codec ?? 'deflate';
  const sync = randomBytes(16);
  const metaBuf: Record<string, Buffer> = {
    'avro.schema': Buffer.from(JSON.stringify(schema), 'utf8'),
    'avro.codec': Buffer.from(codec, 'utf8'),
  };
  for (const [k, v] of Object.entries(opts.meta ?? {})) metaBuf[k] = Buffer.from(v, 'utf8');
  const parts: Buffer[] = [HEADER_TYPE.toBuffer({ magic: MAGIC, meta: metaBuf, sync })];
  const longType = avro.Type.forSchema('long');
  const blockSize = opts.blockSize ?? 1000;
  for (let i = 0; i < records.length; i += blockSize) {
    const chunk = records.slice(i, i + blockSize);
    let block: Buffer = Buffer.concat(chunk.map((r) => type.toBuffer(r)));
    if (codec === 'deflate') block = deflateRawSync(block);
    parts.push(longType.toBuffer(chunk.length), longType.toBuffer(block.length), block, sync);
  }
  return Buffer.concat(parts);
}
