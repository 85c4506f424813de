#!/usr/bin/env node
// The `tapedeck` command. The CLI is written in TypeScript; tsx compiles it on load so the
// checkout runs as it is, with no build step between editing and running.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../main/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
