#!/usr/bin/env node
// The framewise CLI: runs the compiled JavaScript in dist/ (built by `npm run build`, which `npm ci` runs).
let cli;
try {
  cli = await import('../dist/cli/main.js');
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist')) throw err;
  process.stderr.write('framewise: the compiled code (dist/) is missing: run "npm run build" in the package folder (npm ci does it)\n');
  process.exit(1);
}
process.exitCode = await cli.main(process.argv.slice(2));
// Everything has been reported. A component the pipeline already gave up on (a native call stuck past its open or
// close timeout) must not keep the process alive: leave after a grace period if the event loop has not emptied.
setTimeout(() => process.exit(), 3000).unref();
