import type { Role } from '@moocflix/platform-http/auth';

export type UserStatus = 'active' | 'deactivated';

/** Roles a person may pick at signup; `admin` is only ever created by the bootstrap (see bootstrap-admin). */
export const SELF_ASSIGNABLE_ROLES = ['student', 'instructor'] as const satisfies readonly Role[];

/** A user as stored: the only place the password hash lives. Never sent out as is (see toUserView). */
export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  status: UserStatus;
  passwordHash: string;
  /**
   * Every access token of this user issued at or before this epoch second is revoked (password
   * change, deactivation); null when that never happened.
   */
  tokensRevokedThrough: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The public shape: no hash, no revocation bookkeeping. */
export interface UserView {
  id: string;
  email: string;
  name: string;
  role: Role;
  status: UserStatus;
  createdAt: string;
  updatedAt: string;
}

export function toUserView(user: User): UserView {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    status: user.status,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

/**
 * Emails are compared in one canonical form, so `Ada@Example.org ` and `ada@example.org` are the
 * same account. Lower-casing the local part is not strictly RFC 5321, but no mail provider in use
 * distinguishes case there, and two accounts differing only in case are a takeover risk.
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
