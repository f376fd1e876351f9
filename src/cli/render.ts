/**
 * Rendering query results for `floe sql`: aligned tables for people; JSON, CSV and TSV for programs.
 */
import { FloeError } from '../errors.js';
import type { SqlResult } from '../engine/sql-session.js';

/** Output formats of `floe sql`. */
export type OutputFormat = 'table' | 'json' | 'csv' | 'tsv';

/** Checks an output format name. */
export function parseFormat(s: string): OutputFormat {
  if (s === 'table' || s === 'json' || s === 'csv' || s === 'tsv') return s;
  throw new FloeError('INVALID_ARGUMENT', `unknown format '${s}' (use table, json, csv or tsv)`);
}

/** Renders a result in a format; the returned text ends with a newline unless empty. */
export function renderResult(result: SqlResult, format: OutputFormat): string {
  switch (format) {
    case 'json':
      return `${renderJson(result)}\n`;
    case 'csv':
      return renderDelimited(result, ',', csvField);
    case 'tsv':
      return renderDelimited(result, '\t', (v) => (v === null ? 'NULL' : v));
    default:
      return renderTable(result);
  }
}

function renderJson(result: SqlResult): string {
  const rows = result.json.map((r) => {
    const o: Record<string, unknown> = {};
    result.columns.forEach((c, i) => {
      o[c.name] = r[i];
    });
    return o;
  });
  return JSON.stringify(rows, null, 2);
}

function csvField(v: string | null): string {
  if (v === null) return '';
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function renderDelimited(result: SqlResult, sep: string, field: (v: string | null) => string): string {
  if (result.columns.length === 0) return '';
  const lines = [result.columns.map((c) => field(c.name)).join(sep)];
  for (const r of result.text) lines.push(r.map(field).join(sep));
  return `${lines.join('\n')}\n`;
}

function renderTable(result: SqlResult): string {
  if (result.columns.length === 0) return '';
  const header = result.columns.map((c) => c.name);
  const types = result.columns.map((c) => c.type.toLowerCase());
  const body = result.text.map((r) => r.map((v) => (v === null ? 'NULL' : v.replace(/\n/g, '\\n'))));
  const widths = header.map((h, i) => Math.max(h.length, types[i].length, ...body.map((r) => r[i].length)));
  const numeric = result.columns.map((c) => /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|U.*INT|FLOAT|DOUBLE|DECIMAL)/.test(c.type));
  const line = (cells: string[], align = true) =>
    `│ ${cells.map((s, i) => (align && numeric[i] ? s.padStart(widths[i]) : s.padEnd(widths[i]))).join(' │ ')} │`;
  const rule = (l: string, m: string, r: string) => `${l}${widths.map((w) => '─'.repeat(w + 2)).join(m)}${r}`;
  const out = [rule('┌', '┬', '┐'), line(header, false), line(types, false), rule('├', '┼', '┤')];
  for (const r of body) out.push(line(r));
  out.push(rule('└', '┴', '┘'));
  out.push(`${body.length} row${body.length === 1 ? '' : 's'}`);
  return `${out.join('\n')}\n`;
}
