/**
 * Checking commit preconditions (REST `TableRequirement`, open-api/rest-catalog-open-api.yaml) against the base
 * metadata of a commit. This is the optimistic-concurrency half of a commit (spec "Optimistic Concurrency",
 * "Commit Conflict Resolution and Retry"): a writer states what it assumed about the table, and the commit fails
 * without side effects when another writer changed it first.
 */
import { FloeError } from '../../errors.js';
import type { TableMetadata } from './table-metadata.js';
import type { TableRequirement } from './table-update.js';

/**
 * Checks every requirement against `base` (`undefined` when the table does not exist), in order.
 *
 * Throws `COMMIT_CONFLICT` with `retryable: true` on the first one that fails, with `context.requirement` set to its
 * `type` (plus `expected`/`actual` as strings where they apply): `assert-create` fails when the table exists, every
 * other requirement fails when it does not or its value differs. `assert-ref-snapshot-id` with `snapshot-id: null`
 * demands that the ref does not exist. Retrying means reloading the table and re-planning the change, not
 * resending the same request. An unknown requirement type throws `UNSUPPORTED`: a precondition floe cannot check
 * must not be treated as met.
 */
export function checkRequirements(base: TableMetadata | undefined, requirements: TableRequirement[]): void {
  for (const req of requirements) checkRequirement(base, req);
}

function checkRequirement(base: TableMetadata | undefined, req: TableRequirement): void {
  if (req.type === 'assert-create') {
    if (base !== undefined) conflict(req, 'the table already exists');
    return;
  }
  if (base === undefined) {
    if (!KNOWN.has(req.type)) unknownRequirement(req);
    conflict(req, 'the table does not exist');
  }
  switch (req.type) {
    case 'assert-table-uuid':
      // UUIDs compare case-insensitively: the REST spec types them as `format: uuid`, and writers differ in case.
      return expect(req, req.uuid.toLowerCase(), base['table-uuid'].toLowerCase(), 'table UUID');
    case 'assert-ref-snapshot-id': {
      const ref = Object.hasOwn(base.refs, req.ref) ? base.refs[req.ref] : undefined;
      const wanted = req['snapshot-id'];
      if (wanted === null) {
        if (ref !== undefined) {
          conflict(req, `${ref.type} ${JSON.stringify(req.ref)} was created concurrently`, {
            ref: req.ref,
            expected: 'absent',
            actual: String(ref['snapshot-id']),
          });
        }
        return;
      }
      if (ref === undefined) {
        conflict(req, `branch or tag ${JSON.stringify(req.ref)} is missing`, {
          ref: req.ref,
          expected: String(wanted),
          actual: 'absent',
        });
      }
      if (ref['snapshot-id'] !== BigInt(wanted)) {
        conflict(req, `${ref.type} ${JSON.stringify(req.ref)} has changed`, {
          ref: req.ref,
          expected: String(wanted),
          actual: String(ref['snapshot-id']),
        });
      }
      return;
    }
    case 'assert-last-assigned-field-id':
      return expect(req, req['last-assigned-field-id'], base['last-column-id'], 'last assigned field id');
    case 'assert-current-schema-id':
      return expect(req, req['current-schema-id'], base['current-schema-id'], 'current schema id');
    case 'assert-last-assigned-partition-id':
      return expect(req, req['last-assigned-partition-id'], base['last-partition-id'], 'last assigned partition id');
    case 'assert-default-spec-id':
      return expect(req, req['default-spec-id'], base['default-spec-id'], 'default spec id');
    case 'assert-default-sort-order-id':
      return expect(req, req['default-sort-order-id'], base['default-sort-order-id'], 'default sort order id');
    default:
      unknownRequirement(req);
  }
}

const KNOWN = new Set<string>([
  'assert-table-uuid',
  'assert-ref-snapshot-id',
  'assert-last-assigned-field-id',
  'assert-current-schema-id',
  'assert-last-assigned-partition-id',
  'assert-default-spec-id',
  'assert-default-sort-order-id',
]);

function expect(req: TableRequirement, expected: string | number, actual: string | number, what: string): void {
  if (expected !== actual) {
    conflict(req, `${what} has changed: expected ${expected}, found ${actual}`, {
      expected: String(expected),
      actual: String(actual),
    });
  }
}

function conflict(req: TableRequirement, why: string, details: Record<string, unknown> = {}): never {
  throw new FloeError('COMMIT_CONFLICT', `requirement ${req.type} failed: ${why}`, {
    retryable: true,
    context: { requirement: req.type, ...details },
  });
}

function unknownRequirement(req: unknown): never {
  const type = (req as { type?: unknown }).type;
  throw new FloeError('UNSUPPORTED', `unknown table requirement ${JSON.stringify(type)}`, {
    context: { requirement: String(type) },
  });
}
