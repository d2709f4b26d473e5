export {
  countActiveEnrollments,
  findCourse,
  findCourseTitle,
  findEnrollmentStatus,
  lockEnrollment,
  recordCourse,
  recordCourseDeletion,
  recordEnrollment,
  type EnrollmentStatus,
  type ProjectedCourse,
} from './course-projection';
