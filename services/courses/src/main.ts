import { runStandalone } from '@moocflix/platform/runtime';
import { createCoursesService } from './service';

void runStandalone({ name: 'courses', defaultPort: 8082, create: createCoursesService });
