import { runStandalone } from '@moocflix/platform-runtime';
import { createNotificationsService } from './service';

void runStandalone({ name: 'notifications', defaultPort: 8085, create: createNotificationsService });
