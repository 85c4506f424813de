#!/usr/bin/env node
// Runs a TypeScript entry point of the repository (benchmarks, scripts) under plain Node.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: run-ts <file.ts> [args...]');
  process.exit(2);
}
process.argv = [process.argv[0], entry, ...args];
await import(pathToFileURL(path.resolve(entry)).href);
