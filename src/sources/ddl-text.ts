/**
 * Reads what catalogs do not report (SQLite PRAGMAs, DuckDB index keys) from the stored `CREATE` text: CHECK constraints, generated-column
 * expressions, AUTOINCREMENT, and the key list / WHERE clause of an index. A small scanner that skips string
 * literals, quoted identifiers and comments, so parentheses and keywords inside them do not confuse it.
 */

/** Index just past the token starting at `i` if it is a literal, quoted identifier or comment; else `i`. */
function skipQuoted(sql: string, i: number): number {
  const c = sql[i];
  const close = c === "'" ? "'" : c === '"' ? '"' : c === '`' ? '`' : c === '[' ? ']' : undefined;
  if (close !== undefined) {
    let j = i + 1;
    for (;;) {
      const k = sql.indexOf(close, j);
      if (k < 0) return sql.length;
      // A doubled quote is an escaped quote ('' or ""), not the end.
      if (close !== ']' && sql[k + 1] === close) { j = k + 2; continue; }
      return k + 1;
    }
  }
  if (c === '-' && sql[i + 1] === '-') { const k = sql.indexOf('\n', i); return k < 0 ? sql.length : k + 1; }
  if (c === '/' && sql[i + 1] === '*') { const k = sql.indexOf('*/', i + 2); return k < 0 ? sql.length : k + 2; }
  return i;
}

/** Index of the `)` matching the `(` at `open`. */
export function matchParen(sql: string, open: number): number {
  let depth = 0;
  for (let i = open; i < sql.length; ) {
    const j = skipQuoted(sql, i);
    if (j !== i) { i = j; continue; }
    if (sql[i] === '(') depth++;
    else if (sql[i] === ')' && --depth === 0) return i;
    i++;
  }
  return sql.length;
}

/** Top-level comma-separated parts of the parenthesized list starting at `open`. */
export function splitTopLevel(sql: string, open: number): string[] {
  const end = matchParen(sql, open);
  const parts: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < end; ) {
    const j = skipQuoted(sql, i);
    if (j !== i) { i = j; continue; }
    if (sql[i] === '(') depth++;
    else if (sql[i] === ')') depth--;
    else if (sql[i] === ',' && depth === 0) { parts.push(sql.slice(start, i).trim()); start = i + 1; }
    i++;
  }
  parts.push(sql.slice(start, end).trim());
  return parts;
}

/** Positions of keyword `word` outside literals, identifiers and comments. */
function keywordPositions(sql: string, word: string): number[] {
  const out: number[] = [];
  const re = new RegExp(`^${word}\\b`, 'i');
  for (let i = 0; i < sql.length; ) {
    const j = skipQuoted(sql, i);
    if (j !== i) { i = j; continue; }
    if (!/[A-Za-z0-9_$]/.test(sql[i - 1] ?? ' ') && re.test(sql.slice(i, i + word.length + 1))) out.push(i);
    i++;
  }
  return out;
}

/** Unquotes an identifier: "a""b" → a"b, `x`, [x]. */
export function unquoteIdent(ident: string): string {
  const s = ident.trim();
  if (s.startsWith('"') && s.endsWith('"')) return s.slice(1, -1).replace(/""/g, '"');
  if (s.startsWith('`') && s.endsWith('`')) return s.slice(1, -1).replace(/``/g, '`');
  if (s.startsWith('[') && s.endsWith(']')) return s.slice(1, -1);
  return s;
}

/** The leading identifier of a column definition. */
function leadingIdent(def: string): string {
  const end = skipQuoted(def, 0);
  if (end !== 0) return unquoteIdent(def.slice(0, end));
  return /^[^\s(]+/.exec(def)?.[0] ?? '';
}

/** The parts of a CREATE TABLE: its column definitions (by name) and table constraints. */
export function tableParts(createSql: string): { columns: Map<string, string>; constraints: string[] } {
  const open = createSql.indexOf('(');
  const columns = new Map<string, string>();
  const constraints: string[] = [];
  if (open < 0) return { columns, constraints };
  for (const part of splitTopLevel(createSql, open)) {
    if (/^(CONSTRAINT|PRIMARY|UNIQUE|CHECK|FOREIGN)\b/i.test(part)) constraints.push(part);
    else columns.set(leadingIdent(part), part);
  }
  return { columns, constraints };
}

/** CHECK constraints of a CREATE TABLE, column- and table-level, with their CONSTRAINT names when given. */
export function extractChecks(createSql: string): Array<{ name?: string; sql: string }> {
  const out: Array<{ name?: string; sql: string }> = [];
  for (const pos of keywordPositions(createSql, 'CHECK')) {
    const open = createSql.indexOf('(', pos);
    if (open < 0) continue;
    const close = matchParen(createSql, open);
    const before = createSql.slice(0, pos);
    const named = /CONSTRAINT\s+("(?:[^"]|"")+"|`[^`]+`|\[[^\]]+\]|[A-Za-z_][A-Za-z0-9_$]*)\s*$/i.exec(before);
    out.push({ ...(named ? { name: unquoteIdent(named[1]) } : {}), sql: createSql.slice(open + 1, close).trim() });
  }
  return out;
}

/** The expression of a generated column definition (`… [GENERATED ALWAYS] AS (expr) …`). */
export function generatedExpression(columnDef: string): string | undefined {
  const pos = keywordPositions(columnDef, 'AS').find((p) => /^AS\s*\(/i.test(columnDef.slice(p)));
  if (pos === undefined) return undefined;
  const open = columnDef.indexOf('(', pos);
  return columnDef.slice(open + 1, matchParen(columnDef, open)).trim();
}

/** The key list and WHERE clause of a CREATE INDEX. */
export function indexParts(createSql: string): { keys: string; where?: string } {
  const on = keywordPositions(createSql, 'ON')[0] ?? 0;
  const open = createSql.indexOf('(', on);
  if (open < 0) return { keys: '' };
  const close = matchParen(createSql, open);
  const keys = createSql.slice(open + 1, close).trim();
  const rest = createSql.slice(close + 1);
  const w = keywordPositions(rest, 'WHERE')[0];
  return w === undefined ? { keys } : { keys, where: rest.slice(w + 5).trim().replace(/;$/, '') };
}

/** Whether a CREATE TABLE uses AUTOINCREMENT (outside literals) and whether it is WITHOUT ROWID. */
export function tableFlags(createSql: string): { autoincrement: boolean; withoutRowid: boolean } {
  return {
    autoincrement: keywordPositions(createSql, 'AUTOINCREMENT').length > 0,
    withoutRowid: keywordPositions(createSql, 'WITHOUT').some((p) => /^WITHOUT\s+ROWID\b/i.test(createSql.slice(p))),
  };
}
