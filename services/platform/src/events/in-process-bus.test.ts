import pino from 'pino';
import { describeBusContract } from './bus-contract';
import { InProcessEventBus, sharedInProcessBus } from './in-process-bus';
import { createEventBus } from './create-event-bus';

const logger = pino({ level: 'silent' });

describeBusContract('in-process', () => new InProcessEventBus({ logger, redeliveryDelayMs: 10 }), 5_000);

describe('sharedInProcessBus', () => {
  it('is one bus for the whole process, and what createEventBus returns without brokers', () => {
    expect(sharedInProcessBus(logger)).toBe(sharedInProcessBus(logger));
    expect(createEventBus({ clientId: 'a', logger })).toBe(sharedInProcessBus(logger));
    expect(createEventBus({ kafkaBrokers: [], clientId: 'b', logger })).toBe(sharedInProcessBus(logger));
  });
});
