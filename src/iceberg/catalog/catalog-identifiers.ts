/**
 * Checking and spelling namespace and table names the same way in every catalog implementation here (memory, sql,
 * hadoop), and where a new table lives by default: `<warehouse>/<ns1>/<ns2>/<table>` (Java `HadoopCatalog`) or, for
 * metastore-style catalogs, `<warehouse>/<ns1>.<ns2>.db/<table>` (pyiceberg `_resolve_table_location`).
 */
import { FloeError } from '../../errors.js';
import { joinPath } from '../io/file-io.js';
import type { Namespace, TableIdentifier } from './catalog.js';

/** `a.b` for `['a', 'b']`: how messages, and the JDBC/SQL catalog's `table_namespace` column, spell a namespace. */
export function namespaceToString(namespace: Namespace): string {
  return namespace.join('.');
}

/** `a.b.t` for a table in namespace `a.b`. */
export function identifierToString(identifier: TableIdentifier): string {
  return [...identifier.namespace, identifier.name].join('.');
}

/** Options of {@link checkNamespace} and {@link checkIdentifier}. */
export interface NameRules {
  /** Characters a name level may not contain (e.g. `.` where namespaces are stored dotted). */
  forbidden?: string;
  /** Whether `.`/`..` levels are refused (file-system catalogs, where they would escape the warehouse). */
  pathSafe?: boolean;
}

function checkLevel(level: unknown, what: string, rules: NameRules): void {
  if (typeof level !== 'string' || level.length === 0) {
    throw new FloeError('INVALID_ARGUMENT', `${what} must be a non-empty string`, { context: { name: String(level) } });
  }
  const forbidden = [...(rules.forbidden ?? '')].filter((c) => level.includes(c));
  if (rules.pathSafe && (level === '.' || level === '..' || level.includes('/') || level.includes('\\'))) {
    forbidden.push('/');
  }
  if (forbidden.length > 0 || level.includes('\0')) {
    throw new FloeError('INVALID_ARGUMENT', `invalid ${what} ${JSON.stringify(level)}`, { context: { name: level } });
  }
}

/** Throws `INVALID_ARGUMENT` unless `namespace` has at least one non-empty level obeying `rules`. */
export function checkNamespace(namespace: Namespace, rules: NameRules = {}): void {
  if (!Array.isArray(namespace) || namespace.length === 0) {
    throw new FloeError('INVALID_ARGUMENT', 'a namespace needs at least one level');
  }
  for (const level of namespace) checkLevel(level, 'namespace level', rules);
}

/** Throws `INVALID_ARGUMENT` for a parent namespace (may be empty: the catalog root) that breaks `rules`. */
export function checkParentNamespace(parent: Namespace, rules: NameRules = {}): void {
  if (!Array.isArray(parent)) throw new FloeError('INVALID_ARGUMENT', 'a namespace must be a list of levels');
  for (const level of parent) checkLevel(level, 'namespace level', rules);
}

/** Throws `INVALID_ARGUMENT` for a table identifier whose namespace or name breaks `rules`. */
export function checkIdentifier(identifier: TableIdentifier, rules: NameRules = {}): void {
  if (identifier === null || typeof identifier !== 'object') {
    throw new FloeError('INVALID_ARGUMENT', 'a table identifier needs a namespace and a name');
  }
  checkNamespace(identifier.namespace, rules);
  checkLevel(identifier.name, 'table name', rules);
}

/** True when `namespace` starts with all levels of `parent` and is deeper. */
export function isChildOf(namespace: Namespace, parent: Namespace): boolean {
  return namespace.length > parent.length && parent.every((level, i) => namespace[i] === level);
}

/**
 * The direct children of `parent` implied by a set of namespaces (each truncated to one level below `parent`),
 * deduplicated and sorted. Deeper namespaces imply their ancestors, as in Java's `InMemoryCatalog`/`JdbcCatalog`.
 */
export function childNamespaces(all: Iterable<Namespace>, parent: Namespace): Namespace[] {
  const seen = new Map<string, Namespace>();
  for (const ns of all) {
    if (!isChildOf(ns, parent)) continue;
    const child = ns.slice(0, parent.length + 1);
    seen.set(JSON.stringify(child), child);
  }
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, ns]) => ns);
}

/**
 * Default location of a new table in a metastore-style catalog: `<warehouse>/<a.b>.db/<table>`, the layout pyiceberg's
 * SqlCatalog and Java's JDBC/Hive catalogs use, so tables written by either land where the other would put them.
 */
export function metastoreTableLocation(warehouse: string, identifier: TableIdentifier): string {
  return joinPath(warehouse.replace(/\/+$/, ''), `${namespaceToString(identifier.namespace)}.db`, identifier.name);
}
