import { z } from 'zod';
import { SELF_ASSIGNABLE_ROLES } from '../domain/user';

/**
 * Request bodies: strict objects (unknown fields → 400) with bounded strings, so nothing oversized
 * reaches argon2 or the database. Password RULES (length, common passwords) are the domain's
 * (password-policy); here a password is only bounded.
 */
const email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ message: 'must be an email address' }));
const name = z.string().trim().min(1).max(200);
// Generous upper bound: NFKC may change the length; the policy's 128 code points is checked later.
const password = z.string().min(1).max(1024);

export const signUpBody = z.strictObject({
  email,
  password,
  name,
  role: z.enum(SELF_ASSIGNABLE_ROLES, { message: 'must be student or instructor' }).default('student'),
});

export const logInBody = z.strictObject({ email, password });

export const profileUpdateBody = z
  .strictObject({
    name: name.optional(),
    email: email.optional(),
    password: password.optional(),
    currentPassword: password.optional(),
  })
  .refine((body) => body.name !== undefined || body.email !== undefined || body.password !== undefined, {
    message: 'give at least one of name, email, password',
  })
  .refine((body) => body.password === undefined || body.currentPassword !== undefined, {
    message: 'a new password needs currentPassword',
    path: ['currentPassword'],
  })
  .refine((body) => body.currentPassword === undefined || body.password !== undefined, {
    message: 'currentPassword only goes with a new password',
    path: ['currentPassword'],
  });

/** Routes without a body still refuse one with fields in it. */
export const emptyBody = z.strictObject({});
