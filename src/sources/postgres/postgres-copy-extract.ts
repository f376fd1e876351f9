/**
 * `COPY ... TO STDOUT` read straight off a pg connection's socket (PostgreSQL protocol, "COPY Operations" and
 * "Message Formats": CopyOutResponse `H`, CopyData `d`, CopyDone `c`). In copy-out mode the server sends one
 * CopyData message per row, so message boundaries are row boundaries: the rows' bytes are gathered into large
 * buffers that always end at a row's end, with one memcpy per row and no per-row allocation. (pg-copy-streams
 * allocates and concatenates per message: Node then spends about half the CPU the server spends producing the rows.)
 * The server's own count of rows sent (the `COPY n` command tag) comes back with the rows. Also here: the DuckDB SQL
 * rebuilding dates and timestamps sent in their binary form.
 */
import type pg from 'pg';

const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
const ERROR_RESPONSE = 0x45; // 'E'

/** Microseconds from 1970-01-01 to PostgreSQL's epoch, 2000-01-01. */
const PG_EPOCH_US = 946_684_800_000_000n;

/**
 * DuckDB SQL turning `v`, the bytea hex text of date_send / timestamp(tz)_send (`\x` and a big-endian two's
 * complement int32 of days, or int64 of microseconds, since 2000-01-01), into a DATE / TIMESTAMP / TIMESTAMPTZ.
 * PostgreSQL's infinities are the integer extremes. Text order splits the sign: `\x0…`-`\x7…` are >= 0 (parsed
 * as signed), `\x8…`-`\xf…` negative (parsed unsigned, less 2^bits): one parse per value, string tests only on
 * the prefix (the cheapest of the forms measured).
 */
export function temporalFromSend(v: string, type: 'DATE' | 'TIMESTAMP' | 'TIMESTAMPTZ'): string {
  const hex = `('0x' || substr(${v}, 3))`;
  const date = type === 'DATE';
  const [max, min, wrap] = date ? ['7fffffff', '80000000', '4294967296'] : ['7fffffffffffffff', '8000000000000000', '18446744073709551616'];
  const make = (n: string) => (date ? `(DATE '2000-01-01' + ${n})` : `${type === 'TIMESTAMPTZ' ? 'make_timestamptz' : 'make_timestamp'}(${n} + ${PG_EPOCH_US})`);
  const negative = date ? `(${hex}::UINTEGER::BIGINT - ${wrap})::INTEGER` : `(${hex}::UBIGINT::HUGEINT - ${wrap})::BIGINT`;
  return (
    `CASE WHEN ${v} IS NULL THEN NULL ` +
    `WHEN ${v} < '\\x8' THEN (CASE WHEN ${v} = '\\x${max}' THEN 'infinity'::${type} ELSE ${make(`${hex}::${date ? 'INTEGER' : 'BIGINT'}`)} END) ` +
    `WHEN ${v} = '\\x${min}' THEN '-infinity'::${type} ` +
    `ELSE ${make(negative)} END`
  );
}

/** Bytes gathered before they are handed to the sink. */
const OUT_BYTES = 1 << 20;

/** Outstanding sink calls above which the socket is paused (back-pressure reaches the server through TCP). */
const MAX_INFLIGHT = 2;

/** The parts of pg's Connection this reader uses (its socket), which pg's typings do not export. */
interface PgConnection {
  stream: NodeJS.ReadableStream & { listeners(event: 'data'): Array<(chunk: Buffer) => void> };
  query(text: string): void;
}

/** Receives the rows: `data` ends at a row's end and holds `rows` whole rows; a returned promise is awaited. */
export type CopySink = (data: Buffer, rows: number) => Promise<void> | void;

/** What a COPY TO STDOUT did. */
export interface CopyOutResult {
  /** Rows the server reported sending (its `COPY n` command tag). */
  serverRows: bigint;
  /** CopyData messages received (one per row). */
  rows: bigint;
  bytes: bigint;
}

/**
 * A pg "submittable" (as `client.query(x)` accepts): sends the COPY, takes over the socket until CopyDone, then hands
 * it back so pg reads CommandComplete and ReadyForQuery. An ErrorResponse is handed to pg as well, which reports it
 * through handleError. Nothing of it outlives the query; the client must be destroyed (not reused) when it fails.
 */
class CopyOutQuery {
  private connection?: PgConnection;
  private pgHandler?: (chunk: Buffer) => void;
  private readonly onData = (chunk: Buffer) => this.parse(chunk);
  private attached = false;
  // Parser state across socket chunks.
  private head = Buffer.alloc(5);
  private headLen = 0;
  private code = 0;
  private remaining = 0;
  // Output: rows gathered in `out[0, used)`; `rowStart` is where the row being received starts.
  private out: Buffer = Buffer.allocUnsafe(OUT_BYTES);
  private readonly spare: Buffer[] = [];
  private used = 0;
  private rowStart = 0;
  private rowsInOut = 0;
  private rows = 0n;
  private bytes = 0n;
  private serverRows = -1n;
  // Sink calls in flight, chained so the sink sees the rows in order.
  private chain: Promise<void> = Promise.resolve();
  private inflight = 0;
  private paused = false;
  private failure?: unknown;
  private copyDone = false;
  private settled = false;

  readonly done: Promise<CopyOutResult>;
  private resolve!: (r: CopyOutResult) => void;
  private reject!: (e: unknown) => void;

  constructor(
    private readonly text: string,
    private readonly sink: CopySink,
  ) {
    this.done = new Promise((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
    // A failure is reported through `done`; this keeps an early one from being an unhandled rejection.
    this.done.catch(() => undefined);
  }

  /** Called by pg when the query's turn comes. */
  submit(connection: PgConnection): void {
    this.connection = connection;
    const stream = connection.stream;
    const listeners = stream.listeners('data');
    if (listeners.length !== 1) {
      this.fail(new Error(`unexpected pg connection state: ${listeners.length} data listeners`));
      return;
    }
    this.pgHandler = listeners[0];
    stream.removeListener('data', this.pgHandler);
    stream.on('data', this.onData);
    this.attached = true;
    connection.query(this.text);
  }

  /** Gives the socket back to pg, with the bytes after the COPY's last message. */
  private detach(rest: Buffer): void {
    if (!this.attached || !this.connection || !this.pgHandler) return;
    this.attached = false;
    const stream = this.connection.stream;
    stream.removeListener('data', this.onData);
    stream.on('data', this.pgHandler);
    if (this.paused) {
      this.paused = false;
      stream.resume();
    }
    if (rest.length > 0) this.pgHandler(rest);
  }

  private parse(chunk: Buffer): void {
    if (this.failure !== undefined) return;
    const n = chunk.length;
    let p = 0;
    while (p < n) {
      if (this.remaining > 0) {
        // Inside a message's body.
        const take = Math.min(this.remaining, n - p);
        if (this.code === COPY_DATA) this.append(chunk, p, p + take);
        p += take;
        this.remaining -= take;
        if (this.remaining === 0 && this.code === COPY_DATA) this.endRow();
        continue;
      }
      // A message header: its type byte and its length (which counts itself).
      let code: number;
      let len: number;
      if (this.headLen === 0 && n - p >= 5) {
        code = chunk[p];
        if (code === ERROR_RESPONSE) return this.detach(chunk.subarray(p));
        len = chunk.readUInt32BE(p + 1) - 4;
        p += 5;
        // The common case: a whole CopyData message in this chunk.
        if (code === COPY_DATA && p + len <= n) {
          this.append(chunk, p, p + len);
          this.endRow();
          p += len;
          continue;
        }
      } else {
        if (this.headLen === 0 && chunk[p] === ERROR_RESPONSE) return this.detach(chunk.subarray(p));
        const take = Math.min(5 - this.headLen, n - p);
        chunk.copy(this.head, this.headLen, p, p + take);
        this.headLen += take;
        p += take;
        if (this.headLen < 5) break;
        this.headLen = 0;
        code = this.head[0];
        len = this.head.readUInt32BE(1) - 4;
      }
      if (code === COPY_DONE) {
        this.copyDone = true;
        this.flush();
        // CopyDone has no body; CommandComplete and ReadyForQuery follow, for pg to read.
        return this.detach(chunk.subarray(p + len));
      }
      // CopyOutResponse, or a NoticeResponse/ParameterStatus the server may interleave: skipped.
      this.code = code;
      this.remaining = len;
      if (len === 0 && code === COPY_DATA) this.endRow();
    }
    if (this.inflight > MAX_INFLIGHT && !this.paused && this.attached) {
      this.paused = true;
      this.connection?.stream.pause();
    }
  }

  private append(src: Buffer, start: number, end: number): void {
    const len = end - start;
    if (this.used + len > this.out.length) {
      // Hand over the whole rows gathered so far; the row in progress moves to the new buffer.
      const partial = this.out.subarray(this.rowStart, this.used);
      this.flush();
      const need = partial.length + len;
      const next = need <= OUT_BYTES ? this.buffer() : Buffer.allocUnsafe(need * 2);
      partial.copy(next, 0);
      this.out = next;
      this.used = partial.length;
    }
    src.copy(this.out, this.used, start, end);
    this.used += len;
  }

  /** An output buffer: a spare one the sink has finished with, or a new one. */
  private buffer(): Buffer {
    return this.spare.pop() ?? Buffer.allocUnsafe(OUT_BYTES);
  }

  private endRow(): void {
    this.rowStart = this.used;
    this.rowsInOut++;
    this.rows++;
  }

  /** Hands the whole rows gathered to the sink and starts a fresh buffer. */
  private flush(): void {
    if (this.rowStart === 0) return;
    const full = this.out;
    const data = full.subarray(0, this.rowStart);
    const rows = this.rowsInOut;
    this.bytes += BigInt(data.length);
    this.out = this.buffer();
    this.used = 0;
    this.rowStart = 0;
    this.rowsInOut = 0;
    this.inflight++;
    this.chain = this.chain
      .then(() => (this.failure === undefined ? this.sink(data, rows) : undefined))
      .then(
        () => {
          this.inflight--;
          // The sink is done with it: reused, so the rows land in memory already mapped (no page faults).
          if (full.length === OUT_BYTES) this.spare.push(full);
          if (this.paused && this.inflight <= 1 && this.attached) {
            this.paused = false;
            this.connection?.stream.resume();
          }
        },
        (err) => {
          this.inflight--;
          this.fail(err);
        },
      );
  }

  private fail(err: unknown): void {
    if (this.failure === undefined) this.failure = err;
    if (!this.settled) {
      this.settled = true;
      this.reject(err);
    }
  }

  /** pg: the COPY's command tag (`COPY n`). */
  handleCommandComplete(msg: { text?: string }): void {
    const m = /^COPY (\d+)/.exec(msg?.text ?? '');
    if (m) this.serverRows = BigInt(m[1]);
  }

  /** pg: the query is over. */
  handleReadyForQuery(): void {
    if (this.settled) return;
    if (!this.copyDone) return this.fail(new Error('COPY ended without CopyDone'));
    this.chain.then(() => {
      if (this.settled) return;
      this.settled = true;
      this.resolve({ serverRows: this.serverRows < 0n ? this.rows : this.serverRows, rows: this.rows, bytes: this.bytes });
    });
  }

  /** pg: an ErrorResponse, or the connection ended. */
  handleError(err: unknown): void {
    this.fail(err);
  }

  /** Stops reading (the caller then destroys the client). */
  abort(err: unknown): void {
    this.fail(err);
  }
}

/**
 * Runs `sql` (a `COPY ... TO STDOUT`) on `client`, handing the rows to `sink` in order. Resolves once the server
 * finished and every sink call did; rejects on a server error, a lost connection, a failing sink or `signal`. After
 * a rejection the client is mid-protocol: release it as broken.
 */
export async function copyOut(client: pg.ClientBase, sql: string, sink: CopySink, signal?: AbortSignal): Promise<CopyOutResult> {
  const q = new CopyOutQuery(sql, sink);
  const onAbort = () => q.abort(signal?.reason ?? new Error('aborted'));
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    (client as unknown as { query(x: unknown): unknown }).query(q);
    return await q.done;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
