/**
 * Constraints as Legend value specifications (the protocol's expression trees), and those trees as PURE text.
 * PURE text is printed from the tree, so the grammar and the JSON carry the same expression by construction;
 * `pure-parser.ts` reads the text back into a tree to prove it.
 */
import { FloeError } from '../errors.js';
import type { ModelConstraint } from './constraints.js';
import type { FloeModel, ModelClass, ModelProperty } from './model.js';

/** A Legend value specification (the subset floe writes and reads). */
export type ValueSpec =
  | { _type: 'func'; function: string; parameters: ValueSpec[] }
  | { _type: 'property'; property: string; parameters: ValueSpec[] }
  | { _type: 'var'; name: string }
  | { _type: 'packageableElementPtr'; fullPath: string }
  | { _type: 'integer'; value: number }
  | { _type: 'float'; value: number }
  | { _type: 'string'; value: string }
  | { _type: 'boolean'; value: boolean }
  | { _type: 'collection'; multiplicity: { lowerBound: number; upperBound: number }; values: ValueSpec[] };

const COMPARE: Record<string, string> = { '>': 'greaterThan', '>=': 'greaterThanOrEqual', '<': 'lessThan', '<=': 'lessThanOrEqual', '=': 'equal' };
const OPERATOR: Record<string, string> = {
  greaterThan: '>', greaterThanOrEqual: '>=', lessThan: '<', lessThanOrEqual: '<=', equal: '==', and: '&&', or: '||',
};
// Binding strength of infix operators: a child weaker than its parent gets parentheses.
const PRECEDENCE: Record<string, number> = { or: 1, and: 2, equal: 3, notEqual: 3, greaterThan: 4, greaterThanOrEqual: 4, lessThan: 4, lessThanOrEqual: 4 };

function func(name: string, ...parameters: ValueSpec[]): ValueSpec {
  return { _type: 'func', function: name, parameters };
}

function literal(v: string | number | boolean, property: ModelProperty): ValueSpec {
  if (property.enumPath && typeof v === 'string') {
    // An enum-typed property compares with enum values, not strings (`model::Side.buy`).
    return { _type: 'property', property: v, parameters: [{ _type: 'packageableElementPtr', fullPath: property.enumPath }] };
  }
  if (typeof v === 'string') return { _type: 'string', value: v };
  if (typeof v === 'boolean') return { _type: 'boolean', value: v };
  return Number.isInteger(v) ? { _type: 'integer', value: v } : { _type: 'float', value: v };
}

/**
 * The value specification of a constraint on a property. Optional properties pass when empty
 * (`$this.x->isEmpty() || …`), as a SQL CHECK passes on NULL.
 */
export function constraintToValueSpec(c: ModelConstraint, property: ModelProperty, enumLabels?: Map<string, string>): ValueSpec {
  const self: ValueSpec = { _type: 'property', property: property.name, parameters: [{ _type: 'var', name: 'this' }] };
  const lit = (v: string | number | boolean): ValueSpec => literal(typeof v === 'string' && enumLabels?.has(v) ? enumLabels.get(v)! : v, property);
  let body: ValueSpec;
  switch (c.check) {
    case 'notNull':
      return func('isNotEmpty', self);
    case 'regex':
      body = func('matches', self, { _type: 'string', value: String(c.value) });
      break;
    case 'in': {
      const values = (c.values ?? []).map(lit);
      body = func('in', self, { _type: 'collection', multiplicity: { lowerBound: values.length, upperBound: values.length }, values });
      break;
    }
    case 'between':
      body = func('and', func('greaterThanOrEqual', self, lit(c.min!)), func('lessThanOrEqual', self, lit(c.max!)));
      break;
    case '!=':
      body = func('not', func('equal', self, lit(c.value!)));
      break;
    default:
      body = func(COMPARE[c.check], self, lit(c.value!));
  }
  return property.multiplicity.lower === 0 ? func('or', func('isEmpty', self), body) : body;
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function precedence(v: ValueSpec): number {
  if (v._type !== 'func') return 10;
  if (v.function === 'not' && v.parameters[0]?._type === 'func' && v.parameters[0].function === 'equal') return PRECEDENCE.notEqual;
  return PRECEDENCE[v.function] ?? 10;
}

/** Prints a value specification as PURE expression text (`$this.qty > 0`, `$this.t->matches('^A$')`). */
export function valueSpecToPure(v: ValueSpec): string {
  switch (v._type) {
    case 'var': return `$${v.name}`;
    case 'packageableElementPtr': return v.fullPath;
    case 'integer': case 'float': return String(v.value);
    case 'boolean': return String(v.value);
    case 'string': return quote(v.value);
    case 'collection': return `[${v.values.map(valueSpecToPure).join(', ')}]`;
    case 'property': return `${valueSpecToPure(v.parameters[0])}.${v.property}`;
    case 'func': {
      const mine = precedence(v);
      const operand = (p: ValueSpec, right: boolean): string => {
        const s = valueSpecToPure(p);
        const theirs = precedence(p);
        // Comparisons do not chain in PURE, so an equal-precedence comparison operand also gets parentheses.
        return theirs < mine || (theirs === mine && (right || mine >= 3)) ? `(${s})` : s;
      };
      if (v.function === 'not' && v.parameters[0]?._type === 'func' && v.parameters[0].function === 'equal') {
        const [l, r] = v.parameters[0].parameters;
        return `${operand(l, false)} != ${operand(r, true)}`;
      }
      const op = OPERATOR[v.function];
      if (op && v.parameters.length === 2) return `${operand(v.parameters[0], false)} ${op} ${operand(v.parameters[1], true)}`;
      if (v.parameters.length === 0) throw new FloeError('INTERNAL', `function ${v.function} without parameters`);
      const [first, ...rest] = v.parameters;
      const head = precedence(first) < 10 ? `(${valueSpecToPure(first)})` : valueSpecToPure(first);
      return `${head}->${v.function}(${rest.map(valueSpecToPure).join(', ')})`;
    }
  }
}

/** A class's constraints with their value specifications, in declaration order. */
export function classConstraintSpecs(model: FloeModel, cls: ModelClass): Array<{ name: string; spec: ValueSpec }> {
  return cls.constraints.map((c) => {
    const property = cls.properties.find((p) => p.column.name === c.column);
    if (!property) throw new FloeError('INTERNAL', `constraint ${c.name}: no property for column ${c.column}`);
    const en = property.enumPath ? model.enums.find((e) => e.path === property.enumPath) : undefined;
    const labels = en ? new Map(en.values.map((v) => [v.label, v.name])) : undefined;
    return { name: c.name, spec: constraintToValueSpec(c, property, labels) };
  });
}
