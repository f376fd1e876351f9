/**
 * `${VAR}` interpolation of configuration values, so secrets stay in the environment instead of `floe.yaml`.
 * Applied to string values after YAML parsing: a substituted value can never change the document's structure.
 */
import { FloeError } from '../errors.js';

/** The environment to read: `process.env` or a test's stand-in. */
export type Env = Readonly<Record<string, string | undefined>>;

// `$${` first so an escaped reference is consumed before it could match as one; a lone `${` without a closing
// brace is matched last, to be reported rather than passed through.
const TOKEN = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/**
 * Replaces `${VAR}` with the variable's value and `${VAR:-fallback}` with the value or, when the variable is
 * unset or empty, the fallback. `$${` yields a literal `${`; a `$` anywhere else is kept as is.
 *
 * Throws `CONFIG_INVALID` with `context.key` (the setting, as a dotted path) and `context.variable` for an unset
 * variable, and with `context.key` for a malformed reference (`${}`, `${1X}`, an unclosed `${`).
 */
export function interpolateEnv(value: string, env: Env, key: string): string {
  return value.replace(TOKEN, (match: string, body: string | undefined) => {
    if (match === '$${') return '${';
    if (body === undefined) {
      throw new FloeError('CONFIG_INVALID', `${key}: unclosed "\${" in ${JSON.stringify(value)}`, { context: { key } });
    }
    const ref = REFERENCE.exec(body);
    if (!ref) {
      throw new FloeError('CONFIG_INVALID', `${key}: invalid variable reference "\${${body}}" (use \${NAME})`, {
        context: { key },
      });
    }
    const [, name, fallback] = ref;
    const v = env[name];
    if (fallback !== undefined) return v === undefined || v === '' ? fallback : v;
    if (v === undefined) {
      throw new FloeError('CONFIG_INVALID', `${key}: environment variable ${name} is not set`, {
        context: { key, variable: name },
      });
    }
    return v;
  });
}

/**
 * Interpolates every string inside a parsed document (mappings and sequences, recursively; keys are left alone).
 * `path` is the dotted location of `value`, used in error contexts (`catalogs.prod.uri`, `list.0`).
 */
export function interpolateEnvDeep(value: unknown, env: Env, path = ''): unknown {
  if (typeof value === 'string') return interpolateEnv(value, env, path);
  const at = (k: string | number) => (path === '' ? String(k) : `${path}.${k}`);
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnvDeep(v, env, at(i)));
  if (value !== null && typeof value === 'object') {
    // fromEntries defines own properties, so a `__proto__` key stays data instead of replacing the prototype.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateEnvDeep(v, env, at(k))]));
  }
  return value;
}
