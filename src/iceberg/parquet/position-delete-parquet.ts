/**
 * floe's Parquet layout of a position delete file (Iceberg spec "Position Delete Files": REQUIRED `file_path`
 * string, field id 2147483546, and REQUIRED `pos` long, field id 2147483545, sorted by path then position), encoded
 * here without I/O:
 *
 *     PAR1
 *     file_path chunk (codec GZIP): dictionary page (every path once, PLAIN, gzip)
 *                                    then one DATA_PAGE_V2: RLE_DICTIONARY, one RLE run of each path's index
 *     pos chunk (UNCOMPRESSED, or GZIP when a page is worth compressing):
 *                                    per data file a DATA_PAGE_V2: DELTA_BINARY_PACKED positions
 *     footer (FileMetaData: one row group, statistics of pos, column orders), its length, PAR1
 *
 * One `pos` data page per referenced data file, because Parquet restarts delta encoding at every page
 * (Encodings.md "Delta Encoding": the first value sits in the page's header): a writer that runs one delta sequence
 * across data files pays, at each switch, a large negative delta that widens the bit width of its whole block. Here
 * each page is one ascending run with small gaps. Delta-packed positions are near their entropy already, so a page
 * is gzip-compressed only when that makes it smaller (data pages v2 say so per page in `is_compressed`); the paths,
 * long and alike, compress well in the dictionary page.
 *
 * The footer has no min/max for `file_path`: the manifest entry's lower and upper bounds hold the same full paths
 * and are what readers scope a position delete file by (spec: "Scan Planning").
 */
import { gzipSync } from 'node:zlib';
import { FloeError } from '../../errors.js';
import { encodeDeltaBinaryPacked } from './delta-binary-packed.js';
import { dictionaryIndexRuns, plainByteArrays } from './dictionary-encoding.js';
import {
  CODEC,
  type ColumnChunkMeta,
  dataPageV2Header,
  dictionaryPageHeader,
  ENCODING,
  fileMetaData,
  type LeafColumn,
  PAGE_TYPE,
  PARQUET_TYPE,
} from './parquet-thrift.js';

/** Reserved field id of a position delete file's `file_path` (spec: "Reserved Field IDs"). */
export const DELETE_FILE_PATH_FIELD_ID = 2147483546;
/** Reserved field id of a position delete file's `pos`. */
export const DELETE_FILE_POS_FIELD_ID = 2147483545;

const MAGIC = Uint8Array.of(0x50, 0x41, 0x52, 0x31); // "PAR1"

/** Position pages smaller than this are stored as they are: gzip's own ~20 bytes would outweigh any gain. */
const MIN_COMPRESSIBLE = 64;
const PATH_COLUMN: LeafColumn = { name: 'file_path', type: PARQUET_TYPE.BYTE_ARRAY, fieldId: DELETE_FILE_PATH_FIELD_ID, string: true };
const POS_COLUMN: LeafColumn = { name: 'pos', type: PARQUET_TYPE.INT64, fieldId: DELETE_FILE_POS_FIELD_ID };
const MAX_PAGE_VALUES = 2 ** 31 - 1; // num_values is an i32

/** The deleted positions of one data file. */
export interface PositionDeleteRun {
  /** The data file's path as recorded in its manifest. */
  path: string;
  /** Row positions, ascending (repeats allowed), integers in [0, 2^53); at least one. */
  positions: ArrayLike<number>;
}

/** Options of {@link encodePositionDeleteFile}. */
export interface EncodePositionDeleteOptions {
  /** The footer's `created_by`, ideally `<application> version <version>` (what Parquet readers parse). */
  createdBy?: string;
}

/** An encoded position delete file and the facts its manifest entry needs. */
export interface EncodedPositionDeleteFile {
  bytes: Uint8Array;
  rowCount: number;
  /** Stored bytes of each column chunk, page headers included, by field id (Iceberg `column_sizes`). */
  columnSizes: Map<number, number>;
  minPosition: number;
  maxPosition: number;
  /** Data pages of `pos`: one per run (`file_path` has one data page). */
  dataPages: number;
}

const utf8 = new TextEncoder();

/** `x` as PLAIN INT64: 8 bytes, little-endian. */
function plainInt64(x: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt(x), true);
  return out;
}

function invalid(message: string, context: Record<string, unknown>): never {
  throw new FloeError('INVALID_ARGUMENT', message, { context });
}

/** Checks a run's positions: non-empty, at most an i32 of them, ascending integers in [0, 2^53). */
function checkPositions(run: PositionDeleteRun): void {
  const p = run.positions;
  const n = p.length;
  if (n < 1 || n > MAX_PAGE_VALUES) invalid(`a run must hold 1 to 2^31 - 1 positions, got ${n}`, { path: run.path, count: n });
  let prev = 0; // so the first position must be >= 0
  for (let i = 0; i < n; i++) {
    const v = p[i];
    if (!(v >= prev && Number.isSafeInteger(v))) invalid(`positions of ${run.path} are not ascending integers in [0, 2^53) at ${i}`, { path: run.path, index: i });
    prev = v;
  }
}

/**
 * Encodes a position delete file holding `runs`, one per data file, ordered by path in UTF-8 byte order (the order
 * Iceberg and Parquet compare strings in), each path once. At least one run: floe never writes an empty delete
 * file. A bad input is INVALID_ARGUMENT.
 */
export function encodePositionDeleteFile(runs: readonly PositionDeleteRun[], opts: EncodePositionDeleteOptions = {}): EncodedPositionDeleteFile {
  if (runs.length === 0) invalid('a position delete file needs at least one run', {});
  const paths = runs.map((r) => utf8.encode(r.path));
  let rowCount = 0;
  let minPosition = Infinity;
  let maxPosition = -Infinity;
  for (let i = 0; i < runs.length; i++) {
    if (i > 0 && Buffer.compare(paths[i - 1], paths[i]) >= 0) {
      invalid(`runs must be ordered by path (UTF-8 bytes), each path once: ${runs[i].path}`, { path: runs[i].path, index: i });
    }
    checkPositions(runs[i]);
    const p = runs[i].positions;
    rowCount += p.length;
    minPosition = Math.min(minPosition, p[0]);
    maxPosition = Math.max(maxPosition, p[p.length - 1]);
  }

  const parts: Uint8Array[] = [MAGIC];
  let at = MAGIC.length;
  const put = (b: Uint8Array) => {
    parts.push(b);
    at += b.length;
  };

  // file_path: the dictionary page, then one data page holding an RLE run of each path's index. Path pages need no
  // alignment with the position pages (no page index is written), and one page instead of one per run saves its
  // header (~20 bytes per data file named).
  const pathStart = at;
  const dictionary = plainByteArrays(paths);
  const compressed = gzipSync(dictionary, { level: 9 });
  put(dictionaryPageHeader({ numValues: paths.length, uncompressedSize: dictionary.length, compressedSize: compressed.length, sorted: true }));
  put(compressed);
  const pathDataStart = at;
  const indexRuns = dictionaryIndexRuns(
    runs.map((r, index) => ({ index, count: r.positions.length })),
    paths.length,
  );
  put(dataPageV2Header({ numValues: rowCount, encoding: ENCODING.RLE_DICTIONARY, uncompressedSize: indexRuns.length, compressedSize: indexRuns.length, isCompressed: false }));
  put(indexRuns);
  const pathSize = at - pathStart;

  // pos: one delta-encoded data page per run, so each data file's positions start a fresh delta run. A page is
  // stored gzip-compressed when that is smaller (a v2 page says so in `is_compressed`): bit-packed deltas rarely
  // compress, but long runs of equal gaps do.
  const posStart = at;
  let posGzipped = 0;
  let posSaved = 0;
  for (const run of runs) {
    const values = encodeDeltaBinaryPacked(run.positions);
    const packed = values.length >= MIN_COMPRESSIBLE ? gzipSync(values, { level: 9 }) : undefined;
    const stored = packed && packed.length < values.length ? packed : values;
    if (stored !== values) {
      posGzipped++;
      posSaved += values.length - stored.length;
    }
    put(
      dataPageV2Header({
        numValues: run.positions.length,
        encoding: ENCODING.DELTA_BINARY_PACKED,
        uncompressedSize: values.length,
        compressedSize: stored.length,
        isCompressed: stored !== values,
      }),
    );
    put(stored);
  }
  const posSize = at - posStart;
  const columns: ColumnChunkMeta[] = [
    {
      column: PATH_COLUMN,
      encodings: [ENCODING.PLAIN, ENCODING.RLE_DICTIONARY],
      codec: CODEC.GZIP,
      numValues: rowCount,
      totalUncompressedSize: pathSize - compressed.length + dictionary.length,
      totalCompressedSize: pathSize,
      dataPageOffset: pathDataStart,
      dictionaryPageOffset: pathStart,
      // No min/max: the manifest entry's lower and upper bounds hold the same full paths, and readers scope a
      // position delete file by those; in the footer they would cost ~230 bytes per file for nothing.
      encodingStats: [
        { pageType: PAGE_TYPE.DICTIONARY_PAGE, encoding: ENCODING.PLAIN, count: 1 },
        { pageType: PAGE_TYPE.DATA_PAGE_V2, encoding: ENCODING.RLE_DICTIONARY, count: 1 },
      ],
    },
    {
      column: POS_COLUMN,
      encodings: [ENCODING.DELTA_BINARY_PACKED],
      // GZIP only when a page is stored compressed; uncompressed pages of a GZIP chunk say so in `is_compressed`.
      codec: posGzipped > 0 ? CODEC.GZIP : CODEC.UNCOMPRESSED,
      numValues: rowCount,
      totalUncompressedSize: posSize + posSaved,
      totalCompressedSize: posSize,
      dataPageOffset: posStart,
      min: plainInt64(minPosition),
      max: plainInt64(maxPosition),
      encodingStats: [{ pageType: PAGE_TYPE.DATA_PAGE_V2, encoding: ENCODING.DELTA_BINARY_PACKED, count: runs.length }],
    },
  ];
  const footer = fileMetaData({ rootName: 'table', numRows: rowCount, columns, createdBy: opts.createdBy ?? 'floe' });
  put(footer);
  const tail = new Uint8Array(8);
  new DataView(tail.buffer).setUint32(0, footer.length, true);
  tail.set(MAGIC, 4);
  put(tail);

  const bytes = new Uint8Array(at);
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.length;
  }
  return {
    bytes,
    rowCount,
    columnSizes: new Map([
      [DELETE_FILE_PATH_FIELD_ID, pathSize],
      [DELETE_FILE_POS_FIELD_ID, posSize],
    ]),
    minPosition,
    maxPosition,
    dataPages: runs.length,
  };
}
