/**
 * Reading back values DuckDB printed as text (partition keys, `COPY ... RETURN_STATS` minimums and maximums).
 */

/** Parses DuckDB's text of a float or double (`nan`, `inf`, `infinity`, `-inf`, `-infinity` in any case included). */
export function parseFloatText(text: string): number {
  const t = text.toLowerCase();
  if (t === 'nan') return NaN;
  if (t === 'inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  return Number(text);
}
