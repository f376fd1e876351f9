/**
 * Names for generated models: PURE class names from table names, property names from column names, with
 * collisions resolved deterministically. Database names may hold spaces, dashes, quotes and leading digits; PURE
 * identifiers may not, so every generated name matches {@link PURE_IDENTIFIER}.
 */

/** What a PURE identifier may look like (the grammar's VALID_STRING without quoting). */
export const PURE_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

// Words the PURE grammar reserves: an unquoted property or class with one of these names would not parse.
const RESERVED = new Set([
  'all', 'let', 'true', 'false', 'import', 'extends', 'native', 'function', 'Class', 'Enum', 'Association',
  'Profile', 'Primitive', 'Measure', 'Unit', 'stereotypes', 'tags', 'Database', 'Mapping', 'Table', 'Join',
  'Schema', 'View', 'Filter', 'include', 'Relational', 'Pure', 'Any', 'Nil', 'this',
]);

/** Strips the quoting a database may print around an identifier: `"x"`, `` `x` ``, `[x]`. */
export function unquoteIdentifier(name: string): string {
  const t = name.trim();
  if (t.length >= 2) {
    const a = t[0];
    const b = t[t.length - 1];
    if ((a === '"' && b === '"') || (a === '`' && b === '`')) return t.slice(1, -1).split(a + a).join(a);
    if (a === '[' && b === ']') return t.slice(1, -1);
  }
  return t;
}

/**
 * Splits a database name into words: at anything not a letter or digit, and at case changes
 * (`tradeLog`, `userID`, `HTTPStatus`), so `Order Date`, `order-date`, `order_date` and `orderDate` agree.
 */
export function splitWords(name: string): string[] {
  return unquoteIdentifier(name)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0);
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
}

/** A crude English singular of one word: enough for table names (`positions`, `entries`, `addresses`). */
export function singularize(word: string): string {
  const lower = word.toLowerCase();
  if (/(ss|us|is)$/.test(lower) || lower.length <= 3) return word;
  if (lower.endsWith('ies')) return word.slice(0, -3) + (word.endsWith('IES') ? 'Y' : 'y');
  if (/(sses|xes|ches|shes)$/.test(lower)) return word.slice(0, -2);
  if (lower.endsWith('s')) return word.slice(0, -1);
  return word;
}

/** A crude English plural of one word, the inverse of {@link singularize} for association ends. */
export function pluralize(word: string): string {
  if (/[^aeiou]y$/i.test(word)) return word.slice(0, -1) + 'ies';
  if (/(s|x|ch|sh)$/i.test(word)) return word + 'es';
  return word + 's';
}

// Identifiers may not start with a digit or be a reserved word; an underscore fixes both without losing the name.
function safe(id: string, fallback: string): string {
  let out = id.length === 0 ? fallback : id;
  if (/^[0-9]/.test(out)) out = '_' + out;
  if (RESERVED.has(out)) out = out + '_';
  return out;
}

/** Options of {@link toClassName}. */
export interface ClassNameOptions {
  /** Make the last word singular (`positions` → `Position`). Default true. */
  singular?: boolean;
}

/** A PascalCase PURE class name for a table: `trade_log` → `TradeLog`, `"open positions"` → `OpenPosition`. */
export function toClassName(table: string, options: ClassNameOptions = {}): string {
  const words = splitWords(table);
  if (words.length > 0 && options.singular !== false) words[words.length - 1] = singularize(words[words.length - 1]);
  return safe(words.map(capitalize).join(''), 'Table');
}

/** A camelCase PURE property name for a column: `Order Date` → `orderDate`, `account_id` → `accountId`. */
export function toPropertyName(column: string): string {
  const words = splitWords(column);
  const joined = words.map((w, i) => (i === 0 ? w.toLowerCase() : capitalize(w))).join('');
  return safe(joined, 'column');
}

/** A PURE enum value for a database enum label: kept as is when already an identifier (`buy`), else cleaned. */
export function toEnumValueName(label: string): string {
  if (PURE_IDENTIFIER.test(label) && !RESERVED.has(label)) return label;
  return safe(splitWords(label).join('_'), 'EMPTY');
}

/**
 * Makes names unique in order: the first keeps its name, later equal ones get `2`, `3`, … (skipping any suffix
 * already taken), so the result depends only on the input order. `taken` holds names reserved beforehand.
 */
export function uniqueNames(names: readonly string[], taken: Iterable<string> = []): string[] {
  const used = new Set(taken);
  return names.map((n) => {
    let candidate = n;
    for (let i = 2; used.has(candidate); i++) candidate = `${n}${i}`;
    used.add(candidate);
    return candidate;
  });
}
