/** Where a learner is in one module. */
export interface ModuleProgress {
  moduleId: string;
  /** Seconds into the module's video, as last written (a learner may seek back). */
  positionSeconds: number;
  /** Once true, stays true. */
  completed: boolean;
  completedAt: Date | null;
  updatedAt: Date;
}

/** A course's line on "My courses". */
export interface CourseProgressSummary {
  courseId: string;
  modulesCompleted: number;
  modulesTotal: number;
  /** The module the learner wrote progress for last, and where they were; null before any. */
  lastModule: { moduleId: string; positionSeconds: number; updatedAt: Date } | null;
}

/** A day: longer than any lecture video; past it a position is a client bug, not progress. */
export const MAX_POSITION_SECONDS = 86_400;
