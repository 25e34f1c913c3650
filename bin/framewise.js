#!/usr/bin/env node
// Runs the TypeScript sources directly (no build step) through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
// Everything has been reported. A component the pipeline already gave up on (a native call stuck past its open or
// close timeout) must not keep the process alive: leave after a grace period if the event loop has not emptied.
setTimeout(() => process.exit(), 3000).unref();
