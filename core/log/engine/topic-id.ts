import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './durable-file';

/** A new topic id: 16 random bytes as 22 characters of unpadded base64url, as Kafka shows them. */
export function newTopicId(): string {
  return randomBytes(16).toString('base64url');
}

/** `partition.metadata`, exactly as Kafka writes it (no trailing newline). */
export function writePartitionMetadata(partitionDir: string, topicId: string): void {
  writeFileAtomic(path.join(partitionDir, 'partition.metadata'), `version: 0\ntopic_id: ${topicId}`);
}

export function readPartitionMetadata(partitionDir: string): string | undefined {
  const file = path.join(partitionDir, 'partition.metadata');
  if (!existsSync(file)) return undefined;
  return /topic_id:\s*(\S+)/.exec(readFileSync(file, 'utf8'))?.[1];
}
