import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaBrokers } from './env';
import { freePorts } from './ports';
import { type DaemonRecord, startDaemon, stopDaemon } from './processes';
import type { KafkaInstall } from './tools';

export interface KafkaState {
  version: string;
  brokerPort: number;
  controllerPort: number;
  dir: string;
  logFile: string;
  /** How to (re)start the broker with the same config, data and ports (control.ts startKafka). */
  command: { file: string; args: string[] };
  /** null while stopped by control.ts stopKafka. */
  process: DaemonRecord | null;
  /** Set while this broker is the one making the class-data archive: where the JVM dumps it at exit. */
  classArchiveDump: { file: string; installAs: string } | null;
}

// The JVM shares 2 cores with everything else: a small heap, the serial collector, and C1 only, which
// starts noticeably faster and is plenty for test traffic.
const jvmOptions = [
  '-Xms128m',
  '-Xmx512m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-Djava.awt.headless=true',
];

/** Single-node KRaft in combined mode (one process is broker and controller), tuned for tests. */
function serverProperties(dataDir: string, brokerPort: number, controllerPort: number): string {
  return `${Object.entries({
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${brokerPort}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': dataDir,
    'auto.create.topics.enable': 'true',
    'num.partitions': '1',
    // One broker: every internal topic must make do with one replica. And 5 partitions instead of 50,
    // so the first consumer group (or transaction) does not wait for 50 partitions to be created.
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '5',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.num.partitions': '5',
    'transaction.state.log.min.isr': '1',
    'share.coordinator.state.topic.replication.factor': '1',
    'share.coordinator.state.topic.min.isr': '1',
    // Consumer groups in tests join one by one; don't make each join wait for more members.
    'group.initial.rebalance.delay.ms': '0',
  })
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`;
}

// Everything goes to stdout, which spawnDaemon appends to the log file in the stack's folder.
const log4jConfig = `rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = stdout
appender.stdout.type = Console
appender.stdout.name = stdout
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
`;

/** Formats storage for a new cluster in `<rootDir>/kafka` and starts the broker. */
export async function startKafkaCluster(rootDir: string, install: KafkaInstall): Promise<KafkaState> {
  const dir = path.join(rootDir, 'kafka');
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  const { brokerPort, controllerPort } = await freePorts(['brokerPort', 'controllerPort']);
  const propertiesFile = path.join(dir, 'server.properties');
  fs.writeFileSync(propertiesFile, serverProperties(dataDir, brokerPort, controllerPort));
  fs.writeFileSync(path.join(dir, 'log4j2.properties'), log4jConfig);

  const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  // Class-data sharing: mapping the classes from an archive halves the broker's start on 2 busy cores.
  // The first broker without an archive dumps one when it exits; stopBroker installs it for later runs.
  const hasArchive = fs.existsSync(install.classArchive);
  const classArchiveDump = hasArchive
    ? null
    : { file: path.join(dir, 'kafka.jsa'), installAs: install.classArchive };
  const jvm = [
    ...jvmOptions,
    `-Dlog4j2.configurationFile=${path.join(dir, 'log4j2.properties')}`,
    '-cp',
    `${install.libs}/*`,
    ...(hasArchive ? [`-XX:SharedArchiveFile=${install.classArchive}`] : []),
  ];

  // A cluster id is 16 random bytes in URL-safe base64, as `kafka-storage.sh random-uuid` prints. Like Kafka's
  // own Uuid.randomUuid, draw again when it starts with '-': the storage tool would read it as an option.
  let clusterId = randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
  const format = [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propertiesFile];
  try {
    await promisify(execFile)(java, format, { timeout: 60_000 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`Kafka storage format failed: ${(error as Error).message}\n${stdout}${stderr}`);
  }

  const state: KafkaState = {
    version: install.version,
    brokerPort,
    controllerPort,
    dir,
    logFile: path.join(dir, 'server.log'),
    command: {
      file: java,
      args: [
        ...jvm,
        ...(classArchiveDump ? [`-XX:ArchiveClassesAtExit=${classArchiveDump.file}`] : []),
        'kafka.Kafka',
        propertiesFile,
      ],
    },
    process: null,
    classArchiveDump,
  };
  state.process = await launchBroker(state);
  return state;
}

/** Starts the broker as recorded in `state` (same ports and data) and waits until clients can use it. */
export function launchBroker(state: KafkaState): Promise<DaemonRecord> {
  const kafka = new Kafka({
    clientId: 'moocflix-stack-probe',
    brokers: kafkaBrokers(state),
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  // Ready means the broker answers metadata requests, i.e. the controller has registered it.
  const probe = async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.listTopics();
    } finally {
      await admin.disconnect();
    }
  };
  // A JVM on 2 busy cores can take a while: allow a minute.
  return startDaemon(`Kafka ${state.version}`, state.command.file, state.command.args, {
    logFile: state.logFile,
    probe,
    timeoutMs: 60_000,
  });
}

/** SIGTERM makes the broker shut down cleanly (flush, close logs), so a restart needs no log recovery. */
export async function stopBroker(state: KafkaState): Promise<void> {
  if (state.process) await stopDaemon(state.process, { timeoutMs: 30_000 });
  const dump = state.classArchiveDump;
  if (dump && fs.existsSync(dump.file)) {
    // Copied next to its place (the cache may be on another file system) and renamed into it whole, so a
    // concurrent run never maps a half-written archive.
    const partial = `${dump.installAs}.${process.pid}.partial`;
    fs.copyFileSync(dump.file, partial);
    fs.renameSync(partial, dump.installAs);
  }
}
