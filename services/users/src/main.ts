import { runStandalone } from '@moocflix/platform/runtime';
import { createUsersService } from './service';

void runStandalone({ name: 'users', defaultPort: 8081, create: createUsersService });
