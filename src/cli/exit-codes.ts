/**
 * Exit statuses of the floe command, one per error family, so scripts can tell bad input from missing things
 * from failures worth retrying (ARCHITECTURE.md convention 12).
 */
import type { FloeErrorCode } from '../errors.js';

/** Exit status for an error code. 0 is success; 1 is an unexpected internal error. */
export function exitCodeFor(code: FloeErrorCode | undefined): number {
  switch (code) {
    case 'INVALID_ARGUMENT':
    case 'CONFIG_INVALID':
      return 2;
    case 'NOT_FOUND':
    case 'TABLE_NOT_FOUND':
    case 'NAMESPACE_NOT_FOUND':
    case 'SNAPSHOT_NOT_FOUND':
    case 'REF_NOT_FOUND':
      return 3;
    case 'METADATA_INVALID':
    case 'AVRO_INVALID':
    case 'PARQUET_INVALID':
    case 'PUFFIN_INVALID':
      return 4;
    case 'UNSUPPORTED':
      return 5;
    case 'SQL_ERROR':
      return 6;
    case 'COMMIT_CONFLICT':
    case 'COMMIT_STATE_UNKNOWN':
    case 'CATALOG_UNAVAILABLE':
    case 'SOURCE_UNAVAILABLE':
    case 'IO_ERROR':
      return 7;
    case 'SCHEMA_MISMATCH':
    case 'DUPLICATE_KEY':
    case 'TABLE_ALREADY_EXISTS':
    case 'NAMESPACE_ALREADY_EXISTS':
    case 'NAMESPACE_NOT_EMPTY':
      return 8;
    case 'AUTH_FAILED':
      return 9;
    case 'VALIDATION_FAILED':
    case 'RECONCILIATION_FAILED':
      return 11;
    case 'CANCELLED':
      return 12;
    default:
      return 1;
  }
}
