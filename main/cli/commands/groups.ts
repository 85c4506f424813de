import { readConsumerGroups } from '../../../core/group/log-dir-groups';
import { LogDirectory } from '../../../core/log/logdir/log-directory';
import { isoTime, table } from '../format';
import type { LineOutput } from '../output';
import { printWarnings } from '../warnings';

/** `tapedeck groups <logdir>`: consumer groups from `__consumer_offsets`, with committed offsets and lag. */
export function groupsCommand(logDir: string, options: { json?: boolean }, out: LineOutput): number {
  const dir = LogDirectory.open(logDir);
  try {
    const { groups, warnings } = readConsumerGroups(dir);
    if (options.json) {
      out.line(JSON.stringify({ logDir: dir.path, groups: groups.map(({ members, ...g }) => ({ ...g, members: members.map(({ subscription: _s, assignment, ...m }) => ({ ...m, assignment: assignment.kind === 'decoded' ? assignment.value : null })) })), warnings }));
      return 0;
    }
    if (groups.length === 0) out.line('No consumer groups (no committed offsets or group metadata in __consumer_offsets).');
    for (const group of groups) {
      const kind = group.hasMetadata ? `protocol ${group.protocolType ?? '-'}/${group.protocol ?? '-'}, generation ${group.generation}, ${group.members.length} members` : 'offsets only (no group metadata)';
      out.line(`Group ${group.groupId}: ${kind}, last change ${isoTime(group.lastUpdated)}, total lag ${group.totalLag}`);
      const rows = group.offsets.map((o) => [o.topic, o.partition, o.offset, o.logEndOffset ?? '-', o.lag ?? '-', isoTime(o.commitTimestamp), o.metadata || '-']);
      if (rows.length) for (const line of table(['  TOPIC', 'PARTITION', 'COMMITTED', 'LOG END', 'LAG', 'COMMITTED AT', 'METADATA'], rows.map((r) => [`  ${r[0]}`, ...r.slice(1)]))) out.line(line);
      else out.line('  no committed offsets');
    }
    printWarnings(dir.warnings);
    for (const w of warnings) process.stderr.write(`warning: ${w.where} offset ${w.offset}: ${w.message}\n`);
    return 0;
  } finally {
    dir.close();
  }
}
