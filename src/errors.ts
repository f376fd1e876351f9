/**
 * The one error type of floe. Every failure a user can cause or meet carries a stable `code`; tests and callers
 * branch on the code, never on message text. Retry decisions follow `retryable`, not the call site.
 */

/** Error codes floe raises. Stable: the CLI maps them to exit statuses and programs match on them. */
export type FloeErrorCode =
  | 'NOT_FOUND'
  | 'TABLE_NOT_FOUND'
  | 'TABLE_ALREADY_EXISTS'
  | 'NAMESPACE_NOT_FOUND'
  | 'NAMESPACE_ALREADY_EXISTS'
  | 'NAMESPACE_NOT_EMPTY'
  | 'SNAPSHOT_NOT_FOUND'
  | 'REF_NOT_FOUND'
  | 'METADATA_INVALID'
  | 'AVRO_INVALID'
  | 'PARQUET_INVALID'
  | 'PUFFIN_INVALID'
  | 'UNSUPPORTED'
  | 'INVALID_ARGUMENT'
  | 'CONFIG_INVALID'
  | 'SQL_ERROR'
  | 'COMMIT_CONFLICT'
  | 'COMMIT_STATE_UNKNOWN'
  | 'CATALOG_UNAVAILABLE'
  | 'SOURCE_UNAVAILABLE'
  | 'AUTH_FAILED'
  | 'SCHEMA_MISMATCH'
  | 'DUPLICATE_KEY'
  | 'VALIDATION_FAILED'
  | 'RECONCILIATION_FAILED'
  | 'CANCELLED'
  | 'IO_ERROR'
  | 'INTERNAL';

/** Options of a {@link FloeError}. */
export interface FloeErrorOptions {
  /** Whether repeating the same operation may succeed (a conflict, a lost connection). */
  retryable?: boolean;
  /** Machine-readable facts about the failure (paths, ids, field names). */
  context?: Record<string, unknown>;
  /** The underlying error. */
  cause?: unknown;
}

/** An error with a stable code, raised by every floe operation. */
export class FloeError extends Error {
  /** Stable code naming the kind of failure. */
  readonly code: FloeErrorCode;
  /** Whether retrying may help. */
  readonly retryable: boolean;
  /** Machine-readable details. */
  readonly context: Record<string, unknown>;

  constructor(code: FloeErrorCode, message: string, options: FloeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FloeError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.context = options.context ?? {};
  }
}

/** True when `err` is a {@link FloeError}, optionally with the given code. */
export function isFloeError(err: unknown, code?: FloeErrorCode): err is FloeError {
  return err instanceof FloeError && (code === undefined || err.code === code);
}
