/**
 * Entry point for running the CLI from source (`npm run floe -- ...`); the installed `floe` bin runs the build.
 */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
