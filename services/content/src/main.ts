import { runStandalone } from '@moocflix/platform/runtime';
import { createContentService } from './service';

void runStandalone({ name: 'content', defaultPort: 8083, create: createContentService });
