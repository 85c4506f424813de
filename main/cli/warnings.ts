import { formatWarning, type LogWarning } from '../../core/log/errors';

/** Warnings go to stderr so that stdout stays clean for pipes and --json. */
export function printWarnings(warnings: readonly LogWarning[]): void {
  for (const warning of warnings) process.stderr.write(`warning: ${formatWarning(warning)}\n`);
}
