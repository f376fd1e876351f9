/**
 * Entry point for running the CLI from source (`npm run floe -- ...`); the installed `floe` bin runs the build.
 */
import { main } from './main.js';

// The AWS SDK warns once per process on Node 20 about its future Node 22 requirement; floe pins a release that
// supports Node 20, so the warning is noise on a CLI's stderr.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Output piped into `head` and closed early is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

process.exitCode = await main(process.argv.slice(2));
