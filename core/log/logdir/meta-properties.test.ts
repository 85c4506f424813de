import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../log-fixtures.test-support';
import { parseMetaProperties } from './meta-properties';

describe('meta.properties', () => {
  it('v1 (KRaft, kafka-3.7-kraft): node id, cluster id and directory id', () => {
    const meta = parseMetaProperties(readFileSync(fixturePath('kafka-3.7-kraft/meta.properties'), 'utf8'));
    expect(meta).toMatchObject({ version: 1, nodeId: 1, clusterId: '0wHLXdrKStejkyBzi8qBEw', directoryId: 'yYuMrFRVQVSX0VVQPcMSrA' });
    expect(Object.keys(meta.all).sort()).toEqual(['cluster.id', 'directory.id', 'node.id', 'version']);
  });

  it.each(['kafka-0.11', 'kafka-keyed'])('v0 (ZooKeeper, %s): broker.id as node id, no cluster id', (set) => {
    const meta = parseMetaProperties(readFileSync(fixturePath(set, 'meta.properties'), 'utf8'));
    expect(meta).toEqual({ version: 0, nodeId: 0, clusterId: undefined, directoryId: undefined, all: { version: '0', 'broker.id': '0' } });
  });

  it('skips comments and blank lines, accepts ":" and spaces around the separator, CRLF and escapes', () => {
    const meta = parseMetaProperties('# comment\r\n! other comment\r\n\r\n  version : 0\r\nbroker.id=7\r\ncluster.id = a\\=b\\:c\r\n');
    expect(meta).toMatchObject({ version: 0, nodeId: 7, clusterId: 'a=b:c' });
  });

  it('node.id wins over broker.id; non-numeric ids are not numbers', () => {
    expect(parseMetaProperties('node.id=3\nbroker.id=4\n').nodeId).toBe(3);
    expect(parseMetaProperties('node.id=three\nversion=x\n')).toMatchObject({ nodeId: undefined, version: undefined });
    expect(parseMetaProperties('')).toEqual({ version: undefined, nodeId: undefined, clusterId: undefined, directoryId: undefined, all: {} });
  });
});
