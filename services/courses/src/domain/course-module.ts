/** A module of a course, at a dense 1..n position. */
export interface CourseModule {
  id: string;
  courseId: string;
  title: string;
  description: string;
  position: number;
  /** A video of the content service, or null. */
  videoId: string | null;
}

export interface ModuleDraft {
  title: string;
  description: string;
  videoId: string | null;
}
