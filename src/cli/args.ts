/**
 * Command-line argument parsing on node's `util.parseArgs`, with errors as `INVALID_ARGUMENT`.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FloeError } from '../errors.js';

/** Parses `argv` with the given options; unknown options and missing values are `INVALID_ARGUMENT`. */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: r.values as Record<string, string | boolean | undefined>, positionals: r.positionals };
  } catch (cause) {
    throw new FloeError('INVALID_ARGUMENT', (cause as Error).message, { cause });
  }
}
