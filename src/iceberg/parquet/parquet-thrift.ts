/**
 * The Parquet metadata structures floe writes (apache/parquet-format `src/main/thrift/parquet.thrift`), as Thrift
 * compact-protocol bytes: page headers (`PageHeader` with a `DictionaryPageHeader` or `DataPageHeaderV2`) and the
 * footer (`FileMetaData` with one row group). Field ids are the spec's; only the fields floe sets are here.
 */
import { binary, bool, encodeStruct, i16, i32, i64, list, struct, type ThriftValue } from './thrift-compact.js';

/** Physical types (parquet.thrift `Type`). */
export const PARQUET_TYPE = { INT64: 2, BYTE_ARRAY: 6 } as const;
/** Encodings (parquet.thrift `Encoding`). */
export const ENCODING = { PLAIN: 0, RLE: 3, DELTA_BINARY_PACKED: 5, RLE_DICTIONARY: 8 } as const;
/** Compression codecs (parquet.thrift `CompressionCodec`). */
export const CODEC = { UNCOMPRESSED: 0, GZIP: 2 } as const;
/** Page types (parquet.thrift `PageType`). */
export const PAGE_TYPE = { DICTIONARY_PAGE: 2, DATA_PAGE_V2: 3 } as const;
/** `FieldRepetitionType.REQUIRED`. */
const REQUIRED = 0;
/** `ConvertedType.UTF8`, written beside the STRING logical type for older readers. */
const CONVERTED_UTF8 = 0;

/** A data page v2 (no levels: every column floe writes this way is REQUIRED and flat). */
export interface DataPageV2Header {
  /** Values = rows (no nulls, no repetition). */
  numValues: number;
  encoding: number;
  uncompressedSize: number;
  compressedSize: number;
  /** Whether the values section is compressed with the chunk's codec. */
  isCompressed: boolean;
}

/** A `PageHeader` of type DATA_PAGE_V2. */
export function dataPageV2Header(p: DataPageV2Header): Uint8Array {
  return encodeStruct([
    [1, i32(PAGE_TYPE.DATA_PAGE_V2)],
    [2, i32(p.uncompressedSize)],
    [3, i32(p.compressedSize)],
    [
      8,
      struct([
        [1, i32(p.numValues)],
        [2, i32(0)], // num_nulls
        [3, i32(p.numValues)], // num_rows: one value per row
        [4, i32(p.encoding)],
        [5, i32(0)], // definition_levels_byte_length: REQUIRED, no levels
        [6, i32(0)], // repetition_levels_byte_length
        [7, bool(p.isCompressed)],
      ]),
    ],
  ]);
}

/** A `PageHeader` of type DICTIONARY_PAGE with PLAIN entries. */
export function dictionaryPageHeader(p: { numValues: number; uncompressedSize: number; compressedSize: number; sorted: boolean }): Uint8Array {
  return encodeStruct([
    [1, i32(PAGE_TYPE.DICTIONARY_PAGE)],
    [2, i32(p.uncompressedSize)],
    [3, i32(p.compressedSize)],
    [
      7,
      struct([
        [1, i32(p.numValues)],
        [2, i32(ENCODING.PLAIN)],
        [3, bool(p.sorted)],
      ]),
    ],
  ]);
}

/** A REQUIRED leaf column of the root group. */
export interface LeafColumn {
  name: string;
  type: number;
  fieldId: number;
  /** BYTE_ARRAY holding UTF-8 text (logical type STRING). */
  string?: boolean;
}

/** How many pages of one type and encoding a chunk has (`PageEncodingStats`). */
export interface PageEncodingCount {
  pageType: number;
  encoding: number;
  count: number;
}

/** One column chunk's `ColumnMetaData`; offsets are from the start of the file. */
export interface ColumnChunkMeta {
  column: LeafColumn;
  /** Every encoding used in the chunk, dictionary page included. */
  encodings: number[];
  codec: number;
  numValues: number;
  /** Page headers plus page bodies before compression. */
  totalUncompressedSize: number;
  /** Page headers plus page bodies as stored. */
  totalCompressedSize: number;
  dataPageOffset: number;
  dictionaryPageOffset?: number;
  /** Smallest and largest value, PLAIN without a length prefix, in the column's type-defined order. */
  /** PLAIN min and max values, when the footer should carry them. */
  min?: Uint8Array;
  max?: Uint8Array;
  encodingStats: PageEncodingCount[];
}

function schemaElement(c: LeafColumn): ThriftValue {
  return struct([
    [1, i32(c.type)],
    [3, i32(REQUIRED)],
    [4, binary(c.name)],
    [6, c.string ? i32(CONVERTED_UTF8) : undefined],
    [9, i32(c.fieldId)],
    [10, c.string ? struct([[1, struct([])]]) : undefined], // LogicalType union: STRING
  ]);
}

function columnChunk(c: ColumnChunkMeta): ThriftValue {
  return struct([
    // Deprecated; the spec asks writers to set 0 when no ColumnMetaData is written outside the footer.
    [2, i64(0)],
    [
      3,
      struct([
        [1, i32(c.column.type)],
        [2, list('i32', c.encodings.map(i32))],
        [3, list('binary', [binary(c.column.name)])],
        [4, i32(c.codec)],
        [5, i64(c.numValues)],
        [6, i64(c.totalUncompressedSize)],
        [7, i64(c.totalCompressedSize)],
        [9, i64(c.dataPageOffset)],
        [11, c.dictionaryPageOffset === undefined ? undefined : i64(c.dictionaryPageOffset)],
        [
          12,
          struct([
            [3, i64(0)], // null_count: written even when 0, as the spec asks
            [5, c.max === undefined ? undefined : binary(c.max)], // max_value
            [6, c.min === undefined ? undefined : binary(c.min)], // min_value
            [7, c.max === undefined ? undefined : bool(true)], // is_max_value_exact
            [8, c.min === undefined ? undefined : bool(true)], // is_min_value_exact
          ]),
        ],
        [
          13,
          list(
            'struct',
            c.encodingStats.map((s) =>
              struct([
                [1, i32(s.pageType)],
                [2, i32(s.encoding)],
                [3, i32(s.count)],
              ]),
            ),
          ),
        ],
      ]),
    ],
  ]);
}

/** The footer's contents: a flat schema of REQUIRED leaves and one row group holding a chunk per leaf. */
export interface FileMetaDataInput {
  rootName: string;
  numRows: number;
  /** In schema order. */
  columns: ColumnChunkMeta[];
  createdBy: string;
}

/** `FileMetaData` bytes. */
export function fileMetaData(m: FileMetaDataInput): Uint8Array {
  const first = m.columns[0];
  const totalUncompressed = m.columns.reduce((s, c) => s + c.totalUncompressedSize, 0);
  const totalCompressed = m.columns.reduce((s, c) => s + c.totalCompressedSize, 0);
  return encodeStruct([
    // Version 1: the spec asks writers to write 1 (readers take 1 and 2 alike); data pages v2 do not depend on it.
    [1, i32(1)],
    [
      2,
      list('struct', [
        struct([
          [4, binary(m.rootName)],
          [5, i32(m.columns.length)],
        ]),
        ...m.columns.map((c) => schemaElement(c.column)),
      ]),
    ],
    [3, i64(m.numRows)],
    [
      4,
      list('struct', [
        struct([
          [1, list('struct', m.columns.map(columnChunk))],
          [2, i64(totalUncompressed)], // total_byte_size: uncompressed, as the spec defines it
          [3, i64(m.numRows)],
          [5, i64(first.dictionaryPageOffset ?? first.dataPageOffset)], // file_offset: the first page
          [6, i64(totalCompressed)],
          [7, i16(0)], // ordinal
        ]),
      ]),
    ],
    [6, binary(m.createdBy)],
    // Without column orders min_value/max_value are undefined (spec): TYPE_ORDER (unsigned bytes, signed int64).
    [7, list('struct', m.columns.map(() => struct([[1, struct([])]])))],
  ]);
}
