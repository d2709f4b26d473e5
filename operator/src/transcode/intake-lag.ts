// The intake's lag (Transcoding-Request messages not yet turned into TranscodeJobs), measured every
// few seconds from the group's committed offsets and the topic's end offsets: part of the queue
// depth reported by the desired-concurrency metric.
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { Logger } from '@moocflix/platform-core/log';
import { Topics } from '@moocflix/platform-bus';
import type { Runnable } from '../controller-runtime/manager';

export interface IntakeLagOptions {
  brokers: string[];
  clientId: string;
  groupId: string;
  intervalMs: number;
  logger: Logger;
  /** Called when the measured lag changed. */
  onChange?: (lag: number) => void;
}

export class IntakeLagProbe implements Runnable {
  readonly name = 'intake lag probe';
  private lag = 0;
  private timer: NodeJS.Timeout | undefined;
  private admin: Admin | undefined;
  private measuring: Promise<void> | undefined;

  constructor(private readonly options: IntakeLagOptions) {}

  current(): number {
    return this.lag;
  }

  async start(): Promise<void> {
    const kafka = new Kafka({
      clientId: this.options.clientId,
      brokers: this.options.brokers,
      connectionTimeout: 3_000,
      retry: { retries: 1 },
      logLevel: logLevel.NOTHING,
    });
    this.admin = kafka.admin();
    const tick = () => {
      this.measuring = this.measure().finally(() => {
        if (this.admin) this.timer = setTimeout(tick, this.options.intervalMs);
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    clearTimeout(this.timer);
    await this.measuring;
    await admin?.disconnect().catch(() => undefined);
  }

  private async measure(): Promise<void> {
    const admin = this.admin;
    if (!admin) return;
    try {
      await admin.connect();
      const topic = Topics.TranscodingRequest;
      const [ends, committed] = await Promise.all([
        admin.fetchTopicOffsets(topic),
        admin.fetchOffsets({ groupId: this.options.groupId, topics: [topic] }),
      ]);
      const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      let lag = 0;
      for (const p of ends) {
        const position = Math.max(done.get(p.partition) ?? -1, Number(p.low));
        lag += Math.max(0, Number(p.high) - position);
      }
      if (lag !== this.lag) {
        this.lag = lag;
        this.options.onChange?.(lag);
      }
    } catch (err) {
      // The topic may not exist yet; the lag is a metric, not worth more than a debug line.
      this.options.logger.debug({ err }, 'intake lag not measured');
    }
  }
}
