/**
 * Entry point for running the CLI from source (`npm run floe -- ...`); the installed `floe` bin runs the build.
 */
import { main } from './main.js';

// Output piped into `head` and closed early is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

process.exitCode = await main(process.argv.slice(2));
