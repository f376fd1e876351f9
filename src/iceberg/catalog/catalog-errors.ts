/**
 * The errors the catalogs here (memory, sql, hadoop) raise for the same situations, built in one place so codes,
 * `retryable` and `context` keys agree across implementations (codes: see `catalog.ts`).
 */
import { FloeError } from '../../errors.js';
import type { Namespace, TableIdentifier } from './catalog.js';
import { identifierToString, namespaceToString } from './catalog-identifiers.js';

const tableContext = (id: TableIdentifier): Record<string, unknown> => ({ namespace: id.namespace, table: id.name });

/** `NAMESPACE_NOT_FOUND` for `namespace`. */
export function namespaceNotFound(namespace: Namespace): FloeError {
  return new FloeError('NAMESPACE_NOT_FOUND', `namespace does not exist: ${namespaceToString(namespace)}`, {
    context: { namespace },
  });
}

/** `NAMESPACE_ALREADY_EXISTS` for `namespace`. */
export function namespaceExistsError(namespace: Namespace): FloeError {
  return new FloeError('NAMESPACE_ALREADY_EXISTS', `namespace already exists: ${namespaceToString(namespace)}`, {
    context: { namespace },
  });
}

/** `NAMESPACE_NOT_EMPTY` for `namespace`. */
export function namespaceNotEmpty(namespace: Namespace, what = 'tables or namespaces'): FloeError {
  return new FloeError('NAMESPACE_NOT_EMPTY', `namespace ${namespaceToString(namespace)} is not empty: it holds ${what}`, {
    context: { namespace },
  });
}

/** `TABLE_NOT_FOUND` for `identifier`. */
export function tableNotFound(identifier: TableIdentifier): FloeError {
  return new FloeError('TABLE_NOT_FOUND', `table does not exist: ${identifierToString(identifier)}`, {
    context: tableContext(identifier),
  });
}

/** `TABLE_ALREADY_EXISTS` for `identifier`. */
export function tableExistsError(identifier: TableIdentifier): FloeError {
  return new FloeError('TABLE_ALREADY_EXISTS', `table already exists: ${identifierToString(identifier)}`, {
    context: tableContext(identifier),
  });
}

/**
 * The retryable `COMMIT_CONFLICT` of a commit whose base moved before its pointer swap. Retrying reloads the table
 * (and meets `TABLE_NOT_FOUND` if it was dropped meanwhile).
 */
export function commitConflict(identifier: TableIdentifier): FloeError {
  return new FloeError(
    'COMMIT_CONFLICT',
    `commit to ${identifierToString(identifier)} failed: another writer changed the table first`,
    { retryable: true, context: tableContext(identifier) },
  );
}

/** Throws `INVALID_ARGUMENT` when a key is both removed and set (Java and pyiceberg refuse that too). */
export function checkPropertyChange(removals: string[], updates: Record<string, string>): void {
  const both = removals.filter((k) => Object.hasOwn(updates, k));
  if (both.length > 0) {
    throw new FloeError('INVALID_ARGUMENT', `properties both removed and updated: ${both.join(', ')}`, {
      context: { keys: both },
    });
  }
}
