import { findCourse } from '../data/course-repository';
import type { Course } from './course';
import { requireVisible, type Caller } from './course-access';
import type { UseCaseContext } from './use-case-context';

export async function getCourse(ctx: UseCaseContext, caller: Caller, courseId: string): Promise<Course> {
  return requireVisible(await findCourse(ctx.pool, courseId), caller);
}
