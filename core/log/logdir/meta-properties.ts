/**
 * `meta.properties`, a Java properties file: `key=value` lines, `#` or `!` comments. Kafka writes
 * only simple values, so escapes beyond `\\`, `\:` and `\=` are not interpreted.
 */
export interface MetaProperties {
  readonly version: number | undefined;
  readonly clusterId: string | undefined;
  /** `node.id` in KRaft mode, `broker.id` in ZooKeeper mode. */
  readonly nodeId: number | undefined;
  readonly directoryId: string | undefined;
  readonly all: Readonly<Record<string, string>>;
}

export function parseMetaProperties(text: string): MetaProperties {
  const all: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const match = /^((?:\\.|[^=:])+?)\s*[=:]\s*(.*)$/.exec(line);
    if (!match) continue;
    all[unescape(match[1]!)] = unescape(match[2]!);
  }
  const int = (value: string | undefined) => (value !== undefined && /^-?\d+$/.test(value) ? Number(value) : undefined);
  return {
    version: int(all['version']),
    clusterId: all['cluster.id'],
    nodeId: int(all['node.id'] ?? all['broker.id']),
    directoryId: all['directory.id'],
    all,
  };
}

function unescape(value: string): string {
  return value.replace(/\\([\\:=])/g, '$1');
}
