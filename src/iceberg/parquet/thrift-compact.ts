/**
 * A minimal Thrift compact-protocol writer (Apache Thrift doc/specs/thrift-compact-protocol.md), the encoding of
 * Parquet's page headers and footer (parquet.thrift). Only what those need: structs, i8/i16/i32/i64, bool, binary
 * and lists of non-bool elements; no maps, sets or doubles, and no reader.
 *
 * Values are described as small tagged objects ({@link i32}, {@link struct}, ...) and written by
 * {@link writeStruct}: a Parquet header is a handful of fields, so clarity beats a streaming API here.
 */
import { FloeError } from '../../errors.js';
import { ByteWriter } from './byte-writer.js';

/** Compact-protocol type ids (the low nibble of a field header or list header). */
const T = { TRUE: 1, FALSE: 2, I8: 3, I16: 4, I32: 5, I64: 6, BINARY: 8, LIST: 9, STRUCT: 12 } as const;

const utf8 = new TextEncoder();

/** A Thrift value to write. */
export type ThriftValue =
  | { readonly kind: 'i8' | 'i16' | 'i32'; readonly value: number }
  | { readonly kind: 'i64'; readonly value: number | bigint }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'binary'; readonly value: Uint8Array }
  | { readonly kind: 'struct'; readonly fields: ThriftFields }
  | { readonly kind: 'list'; readonly element: ListElementKind; readonly values: readonly ThriftValue[] };

/** The element kinds a list may hold here (bool elements have their own encoding, not needed by Parquet's footer). */
export type ListElementKind = 'i8' | 'i16' | 'i32' | 'i64' | 'binary' | 'struct';

/** A struct's fields as `[field id, value]`, ascending by id; an `undefined` value is an unset optional field. */
export type ThriftFields = ReadonlyArray<readonly [number, ThriftValue | undefined]>;

/** An i8 value. */
export const i8 = (value: number): ThriftValue => ({ kind: 'i8', value });
/** An i16 value. */
export const i16 = (value: number): ThriftValue => ({ kind: 'i16', value });
/** An i32 value (also a Thrift enum). */
export const i32 = (value: number): ThriftValue => ({ kind: 'i32', value });
/** An i64 value. */
export const i64 = (value: number | bigint): ThriftValue => ({ kind: 'i64', value });
/** A bool value. */
export const bool = (value: boolean): ThriftValue => ({ kind: 'bool', value });
/** A binary value; a string is written as its UTF-8 bytes (Thrift `string`). */
export const binary = (value: Uint8Array | string): ThriftValue => ({ kind: 'binary', value: typeof value === 'string' ? utf8.encode(value) : value });
/** A struct (or a union: a struct with exactly one field set). */
export const struct = (fields: ThriftFields): ThriftValue => ({ kind: 'struct', fields });
/** A list whose values are all of kind `element`. */
export const list = (element: ListElementKind, values: readonly ThriftValue[]): ThriftValue => ({ kind: 'list', element, values });

function typeId(kind: ListElementKind): number {
  switch (kind) {
    case 'i8':
      return T.I8;
    case 'i16':
      return T.I16;
    case 'i32':
      return T.I32;
    case 'i64':
      return T.I64;
    case 'binary':
      return T.BINARY;
    case 'struct':
      return T.STRUCT;
  }
}

function int(value: number, bits: 8 | 16 | 32): number {
  const limit = 2 ** (bits - 1);
  if (!Number.isInteger(value) || value < -limit || value >= limit) {
    throw new FloeError('INVALID_ARGUMENT', `not an i${bits}: ${value}`, { context: { value, bits } });
  }
  return value;
}

/** Writes a value's body (without field header). */
function writeValue(out: ByteWriter, v: ThriftValue): void {
  switch (v.kind) {
    case 'i8':
      out.byte(int(v.value, 8) & 0xff);
      return;
    case 'i16':
      out.zigzag(int(v.value, 16));
      return;
    case 'i32':
      out.zigzag(int(v.value, 32));
      return;
    case 'i64':
      out.zigzag(v.value);
      return;
    case 'bool':
      // Only inside a list; as a field, a bool lives in the field header (see writeStruct).
      throw new FloeError('INTERNAL', 'thrift-compact: bool list elements are not supported');
    case 'binary':
      out.uvarint(v.value.length);
      out.bytes(v.value);
      return;
    case 'struct':
      writeStruct(out, v.fields);
      return;
    case 'list': {
      const n = v.values.length;
      // Header: size in the high nibble when below 15, else 0xF and the size as a varint after it.
      if (n < 15) out.byte((n << 4) | typeId(v.element));
      else {
        out.byte(0xf0 | typeId(v.element));
        out.uvarint(n);
      }
      for (const e of v.values) {
        if (e.kind !== v.element) throw new FloeError('INTERNAL', `thrift-compact: a ${e.kind} in a list of ${v.element}`);
        writeValue(out, e);
      }
      return;
    }
  }
}

function fieldType(v: ThriftValue): number {
  if (v.kind === 'bool') return v.value ? T.TRUE : T.FALSE;
  if (v.kind === 'list') return T.LIST;
  return typeId(v.kind);
}

/**
 * Writes a struct: each set field as a header (the id as a delta from the previous field's id in the high nibble
 * when 1..15, else a zero nibble and the id as a zigzag i16) and its value, then the stop byte 0. Ids must ascend.
 */
export function writeStruct(out: ByteWriter, fields: ThriftFields): void {
  let last = 0;
  for (const [id, v] of fields) {
    if (v === undefined) continue;
    if (!Number.isInteger(id) || id <= last || id > 32767) throw new FloeError('INTERNAL', `thrift-compact: field id ${id} after ${last}`);
    const delta = id - last;
    if (delta <= 15) out.byte((delta << 4) | fieldType(v));
    else {
      out.byte(fieldType(v));
      out.zigzag(id);
    }
    if (v.kind !== 'bool') writeValue(out, v);
    last = id;
  }
  out.byte(0);
}

/** A struct's compact-protocol bytes. */
export function encodeStruct(fields: ThriftFields): Uint8Array {
  const out = new ByteWriter(64);
  writeStruct(out, fields);
  return out.finish();
}
