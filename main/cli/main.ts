import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { LogFormatError } from '../../core/log/errors';
import { demoCommand } from './commands/demo';
import { brokerCommand } from './commands/broker';
import { consumeCommand } from './commands/consume';
import { dumpCommand } from './commands/dump';
import { groupsCommand } from './commands/groups';
import { produceCommand } from './commands/produce';
import { topicAlterCommand, topicCreateCommand, topicDeleteCommand } from './commands/topic';
import { topicsCommand } from './commands/topics';
import { LineOutput } from './output';

function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`'${value}' is not a non-negative integer`);
  return n;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function positiveInteger(value: string): number {
  const n = nonNegativeInteger(value);
  if (n === 0) throw new InvalidArgumentError(`'${value}' must be at least 1`);
  return n;
}

function buildProgram(out: LineOutput): { program: Command; result: { code: number } } {
  const result = { code: 0 };
  const program = new Command('tapedeck')
    .description('Explore event streams stored in Kafka log directories.')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError();

  program
    .command('topics')
    .description('List every topic and partition of a log directory: offsets, record counts, bytes, segments, timestamps, codecs.')
    .argument('<logdir>', 'a Kafka log directory (one tapedeck wrote, or one copied off a broker)')
    .option('--json', 'print one JSON document instead of a table')
    .option('--exclude-internal', 'leave out Kafka\'s internal topics (__consumer_offsets, __cluster_metadata, ...)')
    .action((logDir: string, options: { json?: boolean; excludeInternal?: boolean }) => {
      result.code = topicsCommand(logDir, options, out);
    });

  program
    .command('dump')
    .description('Print the records of a log directory, a partition directory or one .log file, like kafka-dump-log.')
    .argument('<path>', 'a log directory, a <topic>-<partition> directory, or a .log segment file')
    .option('--json', 'one JSON object per record per line: topic, partition, offset, timestamp, timestampType, key, value, headers')
    .option('--raw', 'print keys, values and header values as base64 (null stays null)')
    .option('--from <offset>', 'start at this offset (in each partition)', nonNegativeInteger)
    .option('--limit <n>', 'print at most n records in all', nonNegativeInteger)
    .option('--include-control', 'include control records (transaction markers); consumers never see them')
    .option('--topic <name>', 'only this topic (when <path> is a log directory)')
    .action((target: string, options: Parameters<typeof dumpCommand>[1]) => {
      result.code = dumpCommand(target, options, out);
    });

  program
    .command('groups')
    .description('List consumer groups from __consumer_offsets: committed offsets, lag against the log end, members.')
    .argument('<logdir>', 'a Kafka log directory')
    .option('--json', 'print one JSON document instead of tables')
    .action((logDir: string, options: { json?: boolean }) => {
      result.code = groupsCommand(logDir, options, out);
    });

  const topic = program.command('topic').description('Create or delete a topic in a log directory.');
  topic
    .command('create')
    .description('Create a topic (and the log directory, if it does not exist yet).')
    .argument('<logdir>', 'the log directory')
    .argument('<topic>', "the topic's name: letters, digits, '.', '_' and '-'")
    .option('--partitions <n>', 'number of partitions', positiveInteger, 1)
    .option('--config <key=value>', 'a topic config (repeatable): segment.bytes, segment.ms, retention.ms, retention.bytes, cleanup.policy, message.timestamp.type, max.message.bytes, flush.messages, flush.ms, ...', collect)
    .action((logDir: string, name: string, options: { partitions?: number; config?: string[] }) => {
      result.code = topicCreateCommand(logDir, name, options, out);
    });
  topic
    .command('alter')
    .description("Change a topic's config. Retention and compaction apply only to topics tapedeck created or whose config was set this way, so data copied off a broker is never deleted unless you ask.")
    .argument('<logdir>', 'the log directory')
    .argument('<topic>', 'the topic to change')
    .option('--config <key=value>', 'a topic config to set (repeatable)', collect)
    .action((logDir: string, name: string, options: { config?: string[] }) => {
      result.code = topicAlterCommand(logDir, name, options, out);
    });
  topic
    .command('delete')
    .description('Delete a topic and all its data.')
    .argument('<logdir>', 'the log directory')
    .argument('<topic>', 'the topic to delete')
    .action((logDir: string, name: string) => {
      result.code = topicDeleteCommand(logDir, name, out);
    });

  program
    .command('produce')
    .description('Append records read from stdin, one JSON object per line: {"key", "value", "timestamp"?, "headers"?, "partition"?}.')
    .argument('<logdir>', 'the log directory (created if missing)')
    .argument('<topic>', 'the topic (created if missing)')
    .option('--partitions <n>', 'partitions of the topic when it has to be created', positiveInteger, 1)
    .option('--raw', 'key, value and header values are base64 strings (for binary data)')
    .action(async (logDir: string, name: string, options: { partitions?: number; raw?: boolean }) => {
      result.code = await produceCommand(logDir, name, options, process.stdin, out);
    });

  program
    .command('consume')
    .description('Print the records of a topic, merged across partitions in time order; reads without locking, so it works beside a writer.')
    .argument('<logdir>', 'the log directory')
    .argument('<topic>', 'the topic to read')
    .option('--group <id>', 'consume as a member of this consumer group: start at its committed offsets and commit what was printed (needs the writer lock)')
    .option('--from-beginning', 'start at the earliest offset (default: the log end, like kafka-console-consumer); with --group, only for a group with no committed offsets')
    .option('--offset <n>', 'start at this offset (with --partition)', nonNegativeInteger)
    .option('--partition <p>', 'read only this partition', nonNegativeInteger)
    .option('--time <iso>', 'start at the first record at or after this time (ISO-8601)')
    .option('--follow', 'keep waiting for new records until interrupted (Ctrl-C)')
    .option('--limit <n>', 'stop after n records', nonNegativeInteger)
    .option('--json', 'one JSON object per record per line, as dump --json prints them')
    .action(async (logDir: string, name: string, options: Parameters<typeof consumeCommand>[2]) => {
      const interrupt = new AbortController();
      const onSigint = () => interrupt.abort();
      process.once('SIGINT', onSigint);
      try {
        result.code = await consumeCommand(logDir, name, options, out, interrupt.signal);
      } finally {
        process.off('SIGINT', onSigint);
      }
    });

  program
    .command('broker')
    .description('Serve a log directory over the Kafka protocol, as a single-node cluster, until interrupted.')
    .argument('<logdir>', 'the log directory (created if missing)')
    .option('--listen <host:port>', 'where to listen; only loopback unless --allow-remote', '127.0.0.1:9092')
    .option('--auto-create-topics', 'create topics that clients ask for in Metadata requests')
    .option('--partitions <n>', 'partitions of auto-created topics', positiveInteger, 1)
    .option('--allow-remote', 'allow listening on a non-loopback address (prints a warning)')
    .option('--advertised-host <host>', 'the host name clients are told to connect to')
    .action(async (logDir: string, options: Parameters<typeof brokerCommand>[1]) => {
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        result.code = await brokerCommand(logDir, options, out, stop.signal);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });

  program
    .command('demo')
    .description('Write the built-in demo workspace (an e-commerce event log) if it is missing, and show it.')
    .argument('[dir]', 'where to keep the demo workspace', undefined)
    .option('--orders <n>', 'how many orders the generated story holds', nonNegativeInteger)
    .action((dir: string | undefined, options: { orders?: number }) => {
      result.code = demoCommand(dir, options, out);
    });

  return { program, result };
}

/** Runs the CLI; returns the process exit code. Errors are one line on stderr, never a stack trace. */
export async function main(argv: readonly string[], out = new LineOutput()): Promise<number> {
  const { program, result } = buildProgram(out);
  let code: number;
  try {
    await program.parseAsync([...argv], { from: 'user' });
    code = result.code;
  } catch (error) {
    code = reportError(error);
  }
  await out.end();
  return code;
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander has printed help, the version, or a usage error already.
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : error.exitCode || 2;
  }
  const message = error instanceof LogFormatError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`tapedeck: error: ${message}\n`);
  return 1;
}
