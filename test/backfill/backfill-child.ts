/**
 * A backfill in a child process, for the crash tests: reads a JSON request (with `config_json` in place of a loaded
 * config) from argv[2], runs it, prints the result as JSON. FLOE_BACKFILL_CRASH_AT makes it SIGKILL itself.
 */
import { normalizeFloeConfig } from '../../src/config/floe-config.js';
import { runBackfill } from '../../src/backfill/run.js';
import type { BackfillRequest } from '../../src/backfill/types.js';
import { stringifyJsonForOutput } from '../../src/util/json.js';

const { config_json, ...request } = JSON.parse(process.argv[2]) as Record<string, unknown> & { config_json: unknown };
const out = await runBackfill({ ...(request as unknown as BackfillRequest), config: normalizeFloeConfig(config_json) });
process.stdout.write(`${stringifyJsonForOutput(out)}\n`);
