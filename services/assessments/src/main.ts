import { runStandalone } from '@moocflix/platform-runtime';
import { createAssessmentsService } from './service';

void runStandalone({ name: 'assessments', defaultPort: 8084, create: createAssessmentsService });
