import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where prepare.sh put the stack's systems; matches its `${MOOCFLIX_CACHE:-$HOME/.cache/moocflix}`. */
function cacheDir(): string {
  return process.env.MOOCFLIX_CACHE || path.join(os.homedir(), '.cache', 'moocflix');
}

function readVersions(): Record<string, string> {
  const text = fs.readFileSync(path.join(__dirname, 'versions.sh'), 'utf8');
  return Object.fromEntries([...text.matchAll(/^([A-Z_]+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
}

export interface KafkaInstall {
  version: string;
  /** Folder of every jar Kafka needs (a `-cp 'libs/*'` classpath). */
  libs: string;
  /** The JVM class-data archive of the broker; made by the first broker that runs without one. */
  classArchive: string;
}

export interface StackTools {
  kafka: KafkaInstall;
  /** The SeaweedFS binary. */
  weed: string;
}

/** The cached systems, or an error telling how to get them. */
export function findTools(): StackTools {
  const versions = readVersions();
  const cache = cacheDir();
  const kafkaDir = path.join(cache, `kafka-${versions.KAFKA_VERSION}`);
  const tools: StackTools = {
    kafka: {
      version: versions.KAFKA_VERSION ?? '',
      libs: path.join(kafkaDir, 'libs'),
      classArchive: path.join(kafkaDir, 'kafka.jsa'),
    },
    weed: path.join(cache, `seaweedfs-${versions.SEAWEEDFS_VERSION}`, 'bin', 'weed'),
  };
  const missing = [tools.kafka.libs, tools.weed].filter((file) => !fs.existsSync(file));
  if (missing.length > 0) {
    throw new Error(
      `integration stack not prepared (missing ${missing.join(', ')}): run bash e2e/stack/prepare.sh`,
    );
  }
  return tools;
}
