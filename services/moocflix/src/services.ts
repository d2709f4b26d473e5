import type { ServiceModule } from '@moocflix/platform-http';
import type { ServiceContext } from '@moocflix/platform-runtime';
import { createContentService } from '@moocflix/content/service';
import { createCoursesService } from '@moocflix/courses/service';
import { createUsersService } from '@moocflix/users/service';
import { createTranscoderService } from '@moocflix/transcoder/service';
import { createAssessmentsService } from '@moocflix/assessments/service';
import { createNotificationsService } from '@moocflix/notifications/service';

/** A service the launcher runs in-process: its database is named after it. */
export interface LaunchedService {
  name: string;
  create(ctx: ServiceContext): Promise<ServiceModule>;
}

/**
 * Every service of the platform, in start order. Each service's issue adds its factory here;
 * the launcher mounts its router under its base path on the one port.
 */
export const SERVICES: LaunchedService[] = [
  { name: 'users', create: createUsersService },
  { name: 'courses', create: createCoursesService },
  { name: 'content', create: createContentService },
  { name: 'transcoder', create: createTranscoderService },
  { name: 'assessments', create: createAssessmentsService },
  { name: 'notifications', create: createNotificationsService },
];
