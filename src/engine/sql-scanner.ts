/**
 * A small lexical scanner for DuckDB SQL text: splits statements at top-level semicolons and finds calls of named
 * table functions with their argument texts, skipping string literals, quoted identifiers, dollar-quoted strings
 * and comments. It does not parse SQL; DuckDB does that. It only finds where floe must substitute text.
 */

/** Advances past a quoted section, comment or dollar string starting at `i`; returns `i` when none starts there. */
function skipNonCode(sql: string, i: number): number {
  const c = sql[i];
  if (c === "'" || c === '"') {
    let j = i + 1;
    while (j < sql.length) {
      if (sql[j] === c) {
        if (sql[j + 1] === c) j += 2;
        else return j + 1;
      } else j++;
    }
    return sql.length;
  }
  if (c === '-' && sql[i + 1] === '-') {
    const j = sql.indexOf('\n', i);
    return j < 0 ? sql.length : j + 1;
  }
  if (c === '/' && sql[i + 1] === '*') {
    const j = sql.indexOf('*/', i + 2);
    return j < 0 ? sql.length : j + 2;
  }
  if (c === '$') {
    const m = /^\$([A-Za-z_]\w*)?\$/.exec(sql.slice(i));
    if (m && !/[\w$]/.test(sql[i - 1] ?? '')) {
      const j = sql.indexOf(m[0], i + m[0].length);
      return j < 0 ? sql.length : j + m[0].length;
    }
  }
  return i;
}

/** Splits SQL text into statements (trimmed, empty ones dropped). */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  while (i < sql.length) {
    const j = skipNonCode(sql, i);
    if (j !== i) {
      i = j;
      continue;
    }
    if (sql[i] === ';') {
      out.push(sql.slice(start, i));
      start = i + 1;
    }
    i++;
  }
  out.push(sql.slice(start));
  return out.map((s) => s.trim()).filter((s) => s.length > 0 && !/^(--[^\n]*\n?|\/\*[\s\S]*?\*\/|\s)*$/.test(s));
}

/** An argument of a call: positional, or `name = value` / `name := value`. */
export interface CallArgument {
  name?: string;
  /** The value's SQL text. */
  text: string;
}

/** A table function call found in SQL text. */
export interface FunctionCall {
  /** The function name, lower case. */
  name: string;
  /** Offset of the name's first character. */
  start: number;
  /** Offset just past the closing parenthesis. */
  end: number;
  args: CallArgument[];
}

/** Finds calls of the given functions (case-insensitive) in code, not in strings or comments. */
export function findCalls(sql: string, names: string[]): FunctionCall[] {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const calls: FunctionCall[] = [];
  let i = 0;
  while (i < sql.length) {
    const j = skipNonCode(sql, i);
    if (j !== i) {
      i = j;
      continue;
    }
    const m = /^[A-Za-z_][\w]*/.exec(sql.slice(i, i + 128));
    if (!m || /[\w."]/.test(sql[i - 1] ?? '')) {
      i += m ? m[0].length : 1;
      continue;
    }
    const word = m[0].toLowerCase();
    let k = i + m[0].length;
    while (/\s/.test(sql[k] ?? '')) k++;
    if (wanted.has(word) && sql[k] === '(') {
      const parsed = parseArguments(sql, k);
      calls.push({ name: word, start: i, end: parsed.end, args: parsed.args });
      i = parsed.end;
      continue;
    }
    i += m[0].length;
  }
  return calls;
}

/** Parses the argument list whose `(` is at `open`. */
function parseArguments(sql: string, open: number): { end: number; args: CallArgument[] } {
  const pieces: string[] = [];
  let depth = 0;
  let pieceStart = open + 1;
  let i = open;
  while (i < sql.length) {
    const j = skipNonCode(sql, i);
    if (j !== i) {
      i = j;
      continue;
    }
    const c = sql[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) {
        pieces.push(sql.slice(pieceStart, i));
        return { end: i + 1, args: pieces.map(toArgument).filter((a) => a.text.length > 0) };
      }
    } else if (c === ',' && depth === 1) {
      pieces.push(sql.slice(pieceStart, i));
      pieceStart = i + 1;
    }
    i++;
  }
  return { end: sql.length, args: pieces.map(toArgument) };
}

function toArgument(piece: string): CallArgument {
  const text = piece.trim();
  const m = /^([A-Za-z_]\w*)\s*(?::=|=(?!=))\s*([\s\S]*)$/.exec(text);
  return m ? { name: m[1].toLowerCase(), text: m[2].trim() } : { text };
}

/** True when `word` appears as an identifier in code (not in strings or comments). */
export function mentionsIdentifier(sql: string, word: string): boolean {
  const target = word.toLowerCase();
  let i = 0;
  while (i < sql.length) {
    const j = skipNonCode(sql, i);
    if (j !== i) {
      if (sql[i] === '"' && sql.slice(i + 1, j - 1).toLowerCase() === target) return true;
      i = j;
      continue;
    }
    const m = /^[A-Za-z_]\w*/.exec(sql.slice(i, i + 128));
    if (m) {
      if (m[0].toLowerCase() === target && !/[\w]/.test(sql[i - 1] ?? '')) return true;
      i += m[0].length;
    } else i++;
  }
  return false;
}

/** Two-part names `a.b` in code (not strings or comments, not part of a longer dotted name, not a call). */
export function findQualifiedNames(sql: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const seen = new Set<string>();
  let i = 0;
  const ident = /^(?:"((?:[^"]|"")+)"|([A-Za-z_][\w$]*))\.(?:"((?:[^"]|"")+)"|([A-Za-z_][\w$]*))/;
  while (i < sql.length) {
    const prev = sql[i - 1] ?? '';
    if (sql[i] !== '"') {
      const j = skipNonCode(sql, i);
      if (j !== i) {
        i = j;
        continue;
      }
    }
    const m = /[\w$."]/.test(prev) ? null : ident.exec(sql.slice(i, i + 300));
    if (!m) {
      const j = sql[i] === '"' ? skipNonCode(sql, i) : i + 1;
      i = j > i ? j : i + 1;
      continue;
    }
    const after = sql.slice(i + m[0].length);
    const a = m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2];
    const b = m[3] !== undefined ? m[3].replace(/""/g, '"') : m[4];
    if (!/^\s*[.(]/.test(after)) {
      const key = `${a}\u0000${b}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push([a, b]);
      }
    }
    i += m[0].length;
  }
  return out;
}
