import { afterAll, describe, expect, it } from 'vitest';
import { LogEngine } from '../../log/engine/log-engine';
import { KafkaListener } from './kafka-listener';
import { makeTempDir, removeTempDirs, runProcess, runTapedeck, startListener } from './listener-harness.test-support';

afterAll(removeTempDirs);

const jsonLines = (out: string) => out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { key: string; value: string });

describe('one consumer group, over the wire and in-process', () => {
  it('a group that kcat committed over the protocol resumes in-process (tapedeck consume --group), and back', async () => {
    const dir = makeTempDir('tapedeck-shared-group-');
    const produce = (from: number, count: number) =>
      runTapedeck(['produce', dir, 'jobs', '--partitions', '2'], Array.from({ length: count }, (_, i) => JSON.stringify({ key: `job-${from + i}`, value: `v${from + i}` })).join('\n'));
    expect(produce(0, 20).code).toBe(0);

    let running = await startListener(dir);
    // librdkafka commits on close and waits for the answer, so the commit is stored when kcat exits.
    const first = await runProcess('kcat', ['-b', running.bootstrap, '-G', 'workers', '-X', 'auto.offset.reset=earliest', '-e', '-q', '-f', '%k\n', 'jobs']);
    expect(first.stdout.toString().trim().split('\n').sort()).toEqual(Array.from({ length: 20 }, (_, i) => `job-${i}`).sort());
    await running.stop();

    // In-process, the same group starts where kcat left it: nothing old, only what comes after.
    expect(runTapedeck(['consume', dir, 'jobs', '--group', 'workers', '--json']).stdout).toBe('');
    expect(produce(20, 5).code).toBe(0);
    const inProcess = jsonLines(runTapedeck(['consume', dir, 'jobs', '--group', 'workers', '--json']).stdout);
    expect(inProcess.map((r) => r.key).sort()).toEqual(['job-20', 'job-21', 'job-22', 'job-23', 'job-24']);

    // And back over the wire: kcat sees nothing new for the group, then only later records.
    expect(produce(25, 3).code).toBe(0);
    running = await startListener(dir);
    const last = await runProcess('kcat', ['-b', running.bootstrap, '-G', 'workers', '-X', 'auto.offset.reset=earliest', '-e', '-q', '-f', '%k\n', 'jobs']);
    expect(last.stdout.toString().trim().split('\n').sort()).toEqual(['job-25', 'job-26', 'job-27']);
    await running.stop();
  });
});

describe('where the listener binds', () => {
  it('refuses a non-loopback address unless asked, and warns when it is', async () => {
    const engine = LogEngine.open(makeTempDir('tapedeck-bind-'), { create: true, maintenanceIntervalMs: 0 });
    try {
      await expect(new KafkaListener(engine, { host: '0.0.0.0', port: 0 }).start()).rejects.toThrow(/refusing to listen on 0\.0\.0\.0: only loopback/);
      const logs: string[] = [];
      const open = new KafkaListener(engine, { host: '0.0.0.0', port: 0, allowRemote: true, log: (l) => logs.push(l) });
      await open.start();
      expect(logs.some((l) => l.startsWith('WARNING: listening on 0.0.0.0'))).toBe(true);
      await open.stop();
      const local = new KafkaListener(engine, { port: 0 });
      expect((await local.start()).host).toBe('127.0.0.1');
      await local.stop();
    } finally {
      engine.close();
    }
  });
});
