/**
 * A parser for the subset of PURE that floe writes in its `###Pure` section (Profile, Enum, Class with tagged
 * values and constraints, Association), producing the Legend protocol content of each element. It exists so tests
 * can prove the PURE text and the Legend JSON describe the same model; it is not a general PURE parser.
 */
import { FloeError } from '../errors.js';
import type { ValueSpec } from './value-spec.js';

type Tok = { t: 'id' | 'str' | 'num' | 'p'; v: string; at: number };

const PUNCT = ['###', '::', '..', '->', '>=', '<=', '==', '!=', '&&', '||', '[', ']', '{', '}', '(', ')', ',', ';', ':', '.', '=', '$', '>', '<', '*', '!', '-'];

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) { i++; continue; }
    if (text.startsWith('//', i)) { while (i < text.length && text[i] !== '\n') i++; continue; }
    if (c === "'") {
      let s = '';
      const at = i++;
      while (text[i] !== "'") {
        if (i >= text.length) throw fail('unterminated string', at);
        if (text[i] === '\\') i++;
        s += text[i++];
      }
      i++;
      out.push({ t: 'str', v: s, at });
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i)) ?? /^\d+(\.\d+)?/.exec(text.slice(i));
    if (m) { out.push({ t: /\d/.test(c) ? 'num' : 'id', v: m[0], at: i }); i += m[0].length; continue; }
    const p = PUNCT.find((x) => text.startsWith(x, i));
    if (!p) throw fail(`unexpected ${JSON.stringify(c)}`, i);
    out.push({ t: 'p', v: p, at: i });
    i += p.length;
  }
  return out;
}

function fail(message: string, at: number): FloeError {
  return new FloeError('INVALID_ARGUMENT', `PURE parse error at offset ${at}: ${message}`, { context: { offset: at } });
}

/** The Legend content of an element parsed from PURE (same keys as floe's Legend JSON). */
export type ParsedElement = Record<string, unknown> & { _type: string; name: string; package: string };

class PureParser {
  private pos = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(k = 0): Tok | undefined { return this.toks[this.pos + k]; }
  private is(v: string, k = 0): boolean { const t = this.peek(k); return !!t && (t.t === 'p' || t.t === 'id') && t.v === v; }
  private accept(v: string): boolean { if (this.is(v)) { this.pos++; return true; } return false; }
  private expect(v: string): void { if (!this.accept(v)) throw fail(`expected ${v}, got ${this.peek()?.v ?? 'end'}`, this.peek()?.at ?? -1); }
  private ident(): string {
    const t = this.peek();
    if (!t || t.t !== 'id') throw fail(`expected an identifier, got ${t?.v ?? 'end'}`, t?.at ?? -1);
    this.pos++;
    return t.v;
  }
  private path(): string {
    let p = this.ident();
    while (this.accept('::')) p += '::' + this.ident();
    return p;
  }
  private str(): string {
    const t = this.peek();
    if (!t || t.t !== 'str') throw fail('expected a string', t?.at ?? -1);
    this.pos++;
    return t.v;
  }

  parse(): ParsedElement[] {
    const out: ParsedElement[] = [];
    while (this.peek()) {
      if (this.accept('###')) {
        if (this.ident() !== 'Pure') break; // floe's Pure section comes first; later sections are not this subset.
        continue;
      }
      const kw = this.ident();
      if (kw === 'Profile') out.push(this.profile());
      else if (kw === 'Enum') out.push(this.enumeration());
      else if (kw === 'Class') out.push(this.klass());
      else if (kw === 'Association') out.push(this.association());
      else throw fail(`unsupported element ${kw}`, this.peek(-1)?.at ?? -1);
    }
    return out;
  }

  private named(type: string): ParsedElement {
    const full = this.path();
    const i = full.lastIndexOf('::');
    return { _type: type, name: full.slice(i + 2), package: full.slice(0, i) };
  }

  private profile(): ParsedElement {
    const e = this.named('profile');
    this.expect('{');
    this.expect('tags');
    this.expect(':');
    this.expect('[');
    const tags = [this.ident()];
    while (this.accept(',')) tags.push(this.ident());
    this.expect(']');
    this.expect(';');
    this.expect('}');
    return { ...e, stereotypes: [], tags };
  }

  private enumeration(): ParsedElement {
    const e = this.named('Enumeration');
    this.expect('{');
    const values = [{ value: this.ident(), stereotypes: [], taggedValues: [] }];
    while (this.accept(',')) values.push({ value: this.ident(), stereotypes: [], taggedValues: [] });
    this.expect('}');
    return { ...e, stereotypes: [], taggedValues: [], values };
  }

  private taggedValues(): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    if (!this.accept('{')) return out;
    do {
      const full = this.path();
      this.expect('.');
      const value = this.ident();
      this.expect('=');
      out.push({ tag: { profile: full, value }, value: this.str() });
    } while (this.accept(','));
    this.expect('}');
    return out;
  }

  private multiplicity(): Record<string, number> {
    this.expect('[');
    if (this.accept('*')) { this.expect(']'); return { lowerBound: 0 }; }
    const lower = Number(this.peek()?.v);
    this.pos++;
    let m: Record<string, number> = { lowerBound: lower, upperBound: lower };
    if (this.accept('..')) {
      if (this.accept('*')) m = { lowerBound: lower };
      else { m = { lowerBound: lower, upperBound: Number(this.peek()?.v) }; this.pos++; }
    }
    this.expect(']');
    return m;
  }

  private property(): Record<string, unknown> {
    const taggedValues = this.taggedValues();
    const name = this.ident();
    this.expect(':');
    const fullPath = this.path();
    const multiplicity = this.multiplicity();
    this.expect(';');
    return { name, genericType: { rawType: { _type: 'packageableType', fullPath } }, multiplicity, stereotypes: [], taggedValues };
  }

  private klass(): ParsedElement {
    const taggedValues = this.taggedValues();
    const e = this.named('class');
    const constraints: Array<Record<string, unknown>> = [];
    if (this.accept('[')) {
      do {
        const name = this.ident();
        this.expect(':');
        constraints.push({ name, functionDefinition: { _type: 'lambda', body: [this.or()], parameters: [] } });
      } while (this.accept(','));
      this.expect(']');
    }
    this.expect('{');
    const properties = [];
    while (!this.accept('}')) properties.push(this.property());
    return { ...e, superTypes: [], stereotypes: [], taggedValues, constraints, properties };
  }

  private association(): ParsedElement {
    const e = this.named('association');
    this.expect('{');
    const properties = [];
    while (!this.accept('}')) properties.push(this.property());
    return { ...e, stereotypes: [], taggedValues: [], properties };
  }

  // Expressions: || binds loosest, then &&, then one comparison, then postfix `.prop` and `->fn(...)`.
  private or(): ValueSpec {
    let left = this.and();
    while (this.accept('||')) left = { _type: 'func', function: 'or', parameters: [left, this.and()] };
    return left;
  }
  private and(): ValueSpec {
    let left = this.compare();
    while (this.accept('&&')) left = { _type: 'func', function: 'and', parameters: [left, this.compare()] };
    return left;
  }
  private compare(): ValueSpec {
    const left = this.postfix();
    const ops: Record<string, string> = { '>': 'greaterThan', '>=': 'greaterThanOrEqual', '<': 'lessThan', '<=': 'lessThanOrEqual', '==': 'equal' };
    for (const [op, fn] of Object.entries(ops)) {
      if (this.accept(op)) return { _type: 'func', function: fn, parameters: [left, this.postfix()] };
    }
    if (this.accept('!=')) return { _type: 'func', function: 'not', parameters: [{ _type: 'func', function: 'equal', parameters: [left, this.postfix()] }] };
    return left;
  }
  private postfix(): ValueSpec {
    let e = this.primary();
    for (;;) {
      if (this.accept('.')) e = { _type: 'property', property: this.ident(), parameters: [e] };
      else if (this.accept('->')) {
        const fn = this.ident();
        this.expect('(');
        const args: ValueSpec[] = [e];
        if (!this.accept(')')) {
          do args.push(this.or()); while (this.accept(','));
          this.expect(')');
        }
        e = { _type: 'func', function: fn, parameters: args };
      } else return e;
    }
  }
  private primary(): ValueSpec {
    const t = this.peek();
    if (!t) throw fail('unexpected end of expression', -1);
    if (this.accept('$')) return { _type: 'var', name: this.ident() };
    if (this.accept('(')) { const e = this.or(); this.expect(')'); return e; }
    if (this.accept('[')) {
      const values: ValueSpec[] = [];
      if (!this.accept(']')) { do values.push(this.or()); while (this.accept(',')); this.expect(']'); }
      return { _type: 'collection', multiplicity: { lowerBound: values.length, upperBound: values.length }, values };
    }
    const negative = this.accept('-');
    const n = this.peek();
    if (n?.t === 'num') {
      this.pos++;
      const value = Number(n.v) * (negative ? -1 : 1);
      return n.v.includes('.') ? { _type: 'float', value } : { _type: 'integer', value };
    }
    if (negative) throw fail('expected a number after -', n?.at ?? -1);
    if (t.t === 'str') { this.pos++; return { _type: 'string', value: t.v }; }
    if (t.t === 'id' && (t.v === 'true' || t.v === 'false')) { this.pos++; return { _type: 'boolean', value: t.v === 'true' }; }
    if (t.t === 'id') return { _type: 'packageableElementPtr', fullPath: this.path() };
    throw fail(`unexpected ${t.v}`, t.at);
  }
}

/**
 * Parses floe's PURE text (the `###Pure` section; later sections are ignored) into Legend protocol contents of its
 * profiles, enumerations, classes and associations. Throws `INVALID_ARGUMENT` with the offset of a syntax error.
 */
export function parsePure(text: string): ParsedElement[] {
  // Only the Pure section is this subset; the Relational section's quoted names are not PURE tokens.
  const start = text.indexOf('###Pure');
  const body = start < 0 ? text : text.slice(start);
  const next = body.indexOf('\n###', 1);
  return new PureParser(tokenize(next < 0 ? body : body.slice(0, next))).parse();
}
