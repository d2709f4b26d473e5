import { z } from 'zod';
import { paginationQuery } from '@moocflix/platform-http';
import { COURSE_LEVELS, COURSE_SORTS } from '../domain/course';
import { MAX_POSITION_SECONDS } from '../domain/progress';
import { storableText } from '../domain/storable-text';

/**
 * Every body, query and path of the API. Objects are strict: an unknown field is a 400, never
 * silently ignored (a typo like `capacty` must not create an unlimited course).
 */
export const courseParams = z.strictObject({ id: z.uuid() });
export const moduleParams = z.strictObject({ id: z.uuid(), moduleId: z.uuid() });
/** Routes that take no query parameters still refuse unknown ones. */
export const noQuery = z.strictObject({});
/** POST /:id/enroll and DELETE take no body; an empty JSON object is tolerated. */
export const noBody = z.strictObject({});

const title = storableText().trim().min(1).max(200);
const description = storableText().max(20_000);
const category = storableText().trim().min(1).max(100).nullable();
const level = z.enum(COURSE_LEVELS).nullable();
// A BCP 47 language tag such as "en", "pt-BR" or "zh-Hant".
const language = z
  .string()
  .max(35)
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'must be a language tag like "en" or "pt-BR"')
  .nullable();
const capacity = z.number().int().min(1).max(1_000_000).nullable();
const instant = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value))
  .nullable();

const windowIsOrdered = (body: { enrollmentOpensAt?: Date | null; enrollmentClosesAt?: Date | null }) =>
  !body.enrollmentOpensAt || !body.enrollmentClosesAt || body.enrollmentOpensAt < body.enrollmentClosesAt;
const windowIssue = { path: ['enrollmentClosesAt'], message: 'must be after enrollmentOpensAt' };

const courseFields = {
  title,
  description,
  category: category.optional(),
  level: level.optional(),
  language: language.optional(),
  published: z.boolean().optional(),
  /** Seats; null or absent = unlimited. */
  capacity: capacity.optional(),
  enrollmentOpensAt: instant.optional(),
  enrollmentClosesAt: instant.optional(),
};

export const createCourseBody = z
  .strictObject(courseFields)
  .refine(windowIsOrdered, windowIssue)
  .transform((body) => ({
    title: body.title,
    description: body.description,
    category: body.category ?? null,
    level: body.level ?? null,
    language: body.language ?? null,
    published: body.published ?? false,
    capacity: body.capacity ?? null,
    enrollmentOpensAt: body.enrollmentOpensAt ?? null,
    enrollmentClosesAt: body.enrollmentClosesAt ?? null,
  }));

const hasAField = (body: object) => Object.keys(body).length > 0;
const noFieldIssue = { message: 'at least one field is required' };

/** A partial update: absent fields keep their value; null clears an optional field. */
export const updateCourseBody = z
  .strictObject({ ...courseFields, title: title.optional(), description: description.optional() })
  .refine(hasAField, noFieldIssue)
  .refine(windowIsOrdered, windowIssue);

export const listCoursesQuery = z.strictObject({
  limit: paginationQuery.limit,
  // Longer than the kit's default: a title-sorted cursor carries a title of up to 200 characters.
  cursor: z.string().max(2048).optional(),
  instructorId: storableText().min(1).max(200).optional(),
  category: storableText().trim().min(1).max(100).optional(),
  published: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional(),
  /** Words that must all appear (as prefixes) in the title or description. */
  q: storableText().trim().min(1).max(200).optional(),
  sort: z.enum(COURSE_SORTS).default('-createdAt'),
});

export const pageQuery = z.strictObject(paginationQuery);

export const courseEnrollmentsQuery = z.strictObject({
  ...paginationQuery,
  status: z.enum(['active', 'inactive']).optional(),
});

// Video ids are the content service's; only their shape is checked here.
const videoId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,200}$/, 'must be a video id')
  .nullable();
const moduleFields = {
  title,
  description: description.optional(),
  /** 1-based; beyond the end means "last". */
  position: z.number().int().min(1).max(100_000).optional(),
  videoId: videoId.optional(),
};

export const createModuleBody = z.strictObject(moduleFields);
export const updateModuleBody = z
  .strictObject({ ...moduleFields, title: title.optional() })
  .refine(hasAField, noFieldIssue);

/** The player's report: where the learner is (seconds, finite, 0..a day) and whether they completed the module. */
export const progressBody = z.strictObject({
  positionSeconds: z.number().min(0).max(MAX_POSITION_SECONDS),
  completed: z.boolean(),
});
