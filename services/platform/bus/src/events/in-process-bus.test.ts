import pino from 'pino';
import { describeBusContract } from './bus-contract';
import { InProcessEventBus } from './in-process-bus';

const logger = pino({ level: 'silent' });

describeBusContract('in-process', () => new InProcessEventBus({ logger, redeliveryDelayMs: 10 }), 5_000);
