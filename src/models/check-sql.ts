/**
 * A parser for the CHECK expressions databases print (`qty > 0`, PostgreSQL's `((qty > (0)::numeric))`,
 * `side = ANY (ARRAY['buy'::text, …])`, `x BETWEEN 1 AND 9`, `t LIKE 'A%'`). Only what constraint translation
 * needs: anything else is a parse failure, which the caller reports as an untranslatable CHECK.
 */

/** A parsed CHECK expression. */
export type CheckExpr =
  | { kind: 'column'; name: string }
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'list'; items: CheckExpr[] }
  | { kind: 'compare'; op: '>' | '>=' | '<' | '<=' | '=' | '!='; left: CheckExpr; right: CheckExpr }
  | { kind: 'in'; expr: CheckExpr; items: CheckExpr[]; negated: boolean }
  | { kind: 'between'; expr: CheckExpr; low: CheckExpr; high: CheckExpr; negated: boolean }
  | { kind: 'like'; expr: CheckExpr; pattern: CheckExpr; negated: boolean }
  | { kind: 'isNull'; expr: CheckExpr; negated: boolean }
  | { kind: 'and' | 'or'; left: CheckExpr; right: CheckExpr }
  | { kind: 'not'; expr: CheckExpr };

type Tok =
  | { t: 'id'; v: string; quoted: boolean }
  | { t: 'num'; v: number }
  | { t: 'str'; v: string }
  | { t: 'op'; v: string };

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'between', 'like', 'is', 'check']);

function tokenize(sql: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= sql.length) throw new Error('unterminated string');
        if (sql[i] === "'" && sql[i + 1] === "'") { s += "'"; i += 2; continue; }
        if (sql[i] === "'") { i++; break; }
        s += sql[i++];
      }
      out.push({ t: 'str', v: s });
      continue;
    }
    // `[x]` quotes a name (SQL Server) except after ARRAY or a type name (`ARRAY[…]`, `text[]`).
    const prev = out[out.length - 1];
    const bracketName = c === '[' && (!prev || prev.t === 'op' || (prev.t === 'id' && !prev.quoted && KEYWORDS.has(prev.v.toLowerCase())));
    if (c === '"' || c === '`' || bracketName) {
      const close = c === '[' ? ']' : c;
      const end = sql.indexOf(close, i + 1);
      if (end < 0) throw new Error('unterminated identifier');
      out.push({ t: 'id', v: sql.slice(i + 1, end), quoted: true });
      i = end + 1;
      continue;
    }
    const num = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(sql.slice(i));
    if (num) { out.push({ t: 'num', v: Number(num[0]) }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i));
    if (id) { out.push({ t: 'id', v: id[0], quoted: false }); i += id[0].length; continue; }
    const op = /^(!~~|~~|::|<>|!=|>=|<=|[<>=(),\-+\[\]])/.exec(sql.slice(i));
    if (op) { out.push({ t: 'op', v: op[0] }); i += op[0].length; continue; }
    throw new Error(`unexpected character ${JSON.stringify(c)}`);
  }
  return out;
}

// Keywords that end a type name after `::` (types are words too: `character varying`, `double precision`).
const STOP = new Set(['and', 'or', 'not', 'in', 'between', 'like', 'is', 'any']);

class Parser {
  private pos = 0;
  constructor(private readonly toks: Tok[]) {}

  parseAll(): CheckExpr {
    const e = this.or();
    if (this.pos !== this.toks.length) throw new Error('trailing tokens');
    return e;
  }

  private peek(): Tok | undefined { return this.toks[this.pos]; }
  private kw(word: string): boolean {
    const t = this.peek();
    if (t && t.t === 'id' && !t.quoted && t.v.toLowerCase() === word) { this.pos++; return true; }
    return false;
  }
  private op(v: string): boolean {
    const t = this.peek();
    if (t && t.t === 'op' && t.v === v) { this.pos++; return true; }
    return false;
  }
  private expectOp(v: string): void { if (!this.op(v)) throw new Error(`expected ${v}`); }

  private or(): CheckExpr {
    let left = this.and();
    while (this.kw('or')) left = { kind: 'or', left, right: this.and() };
    return left;
  }
  private and(): CheckExpr {
    let left = this.not();
    while (this.kw('and')) left = { kind: 'and', left, right: this.not() };
    return left;
  }
  private not(): CheckExpr {
    if (this.kw('not')) return { kind: 'not', expr: this.not() };
    return this.predicate();
  }
  private predicate(): CheckExpr {
    const left = this.operand();
    const t = this.peek();
    if (t && t.t === 'op' && ['>', '>=', '<', '<=', '=', '!=', '<>'].includes(t.v)) {
      this.pos++;
      const op = (t.v === '<>' ? '!=' : t.v) as '>' | '>=' | '<' | '<=' | '=' | '!=';
      if (this.kw('any')) {
        // PostgreSQL prints `x IN (…)` as `x = ANY (ARRAY[…])`.
        if (op !== '=') throw new Error('only = ANY is supported');
        this.expectOp('(');
        const list = this.operand();
        this.expectOp(')');
        if (list.kind !== 'list') throw new Error('ANY needs an array');
        return { kind: 'in', expr: left, items: list.items, negated: false };
      }
      return { kind: 'compare', op, left, right: this.operand() };
    }
    // PostgreSQL prints LIKE as `~~` and NOT LIKE as `!~~`.
    if (this.op('~~')) return { kind: 'like', expr: left, pattern: this.operand(), negated: false };
    if (this.op('!~~')) return { kind: 'like', expr: left, pattern: this.operand(), negated: true };
    const negated = this.kw('not');
    if (this.kw('in')) {
      this.expectOp('(');
      const items = [this.operand()];
      while (this.op(',')) items.push(this.operand());
      this.expectOp(')');
      return { kind: 'in', expr: left, items, negated };
    }
    if (this.kw('between')) {
      const low = this.operand();
      if (!this.kw('and')) throw new Error('expected AND');
      return { kind: 'between', expr: left, low, high: this.operand(), negated };
    }
    if (this.kw('like')) return { kind: 'like', expr: left, pattern: this.operand(), negated };
    if (negated) throw new Error('dangling NOT');
    if (this.kw('is')) {
      const neg = this.kw('not');
      if (!this.kw('null')) throw new Error('expected NULL');
      return { kind: 'isNull', expr: left, negated: neg };
    }
    return left;
  }
  private operand(): CheckExpr {
    let e = this.primary();
    while (this.op('::')) this.skipType();
    return e;
  }
  private skipType(): void {
    let words = 0;
    for (let t = this.peek(); t && t.t === 'id' && !STOP.has(t.v.toLowerCase()); t = this.peek()) {
      this.pos++;
      words++;
    }
    if (words === 0) throw new Error('expected a type after ::');
    if (this.op('(')) { while (!this.op(')')) { if (!this.peek()) throw new Error('unclosed type'); this.pos++; } }
    while (this.op('[')) this.expectOp(']');
  }
  private primary(): CheckExpr {
    const t = this.peek();
    if (!t) throw new Error('unexpected end');
    this.pos++;
    if (t.t === 'num') return { kind: 'literal', value: t.v };
    if (t.t === 'str') return { kind: 'literal', value: t.v };
    if (t.t === 'op' && t.v === '-') {
      const n = this.primary();
      if (n.kind !== 'literal' || typeof n.value !== 'number') throw new Error('unary minus needs a number');
      return { kind: 'literal', value: -n.value };
    }
    if (t.t === 'op' && t.v === '(') {
      const e = this.or();
      this.expectOp(')');
      return e;
    }
    if (t.t === 'id') {
      const lower = t.v.toLowerCase();
      if (!t.quoted && lower === 'array') {
        if (!this.op('[')) throw new Error('expected [');
        const items: CheckExpr[] = [];
        if (!this.op(']')) {
          do items.push(this.operand()); while (this.op(','));
          this.expectOp(']');
        }
        return { kind: 'list', items };
      }
      if (!t.quoted && (lower === 'true' || lower === 'false')) return { kind: 'literal', value: lower === 'true' };
      if (!t.quoted && lower === 'null') return { kind: 'literal', value: null };
      if (!t.quoted && this.peek()?.t === 'op' && (this.peek() as { v: string }).v === '(') {
        throw new Error(`function ${t.v} is not supported`);
      }
      return { kind: 'column', name: t.v };
    }
    throw new Error(`unexpected ${t.v}`);
  }
}

/**
 * Parses a CHECK constraint's SQL (with or without the leading `CHECK`). Throws a plain `Error` describing why
 * when the expression is outside the supported subset.
 */
export function parseCheckSql(sql: string): CheckExpr {
  const body = sql.trim().replace(/^check\s*/i, '').replace(/\s+not\s+valid\s*$/i, '');
  return new Parser(tokenize(body)).parseAll();
}
