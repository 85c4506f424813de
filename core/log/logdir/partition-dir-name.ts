/**
 * Parses a partition folder name, `<topic>-<partition>`. The partition is the text after the LAST
 * dash (topic names may contain dashes). Folders being deleted (`…-delete`), moved (`…-future`) or
 * left over (`…-stray`) fail to parse because their suffix is not a number, as in Kafka.
 */
export function parsePartitionDirName(name: string): { topic: string; partition: number } | undefined {
  const dash = name.lastIndexOf('-');
  if (dash <= 0) return undefined;
  const topic = name.slice(0, dash);
  const digits = name.slice(dash + 1);
  if (!/^\d+$/.test(digits) || topic.startsWith('.')) return undefined;
  const partition = Number(digits);
  if (!Number.isSafeInteger(partition) || partition > 0x7fffffff) return undefined;
  return { topic, partition };
}

/** Topics Kafka itself writes; explorers group them apart from users' topics. */
export function isInternalTopic(topic: string): boolean {
  return topic.startsWith('__');
}
