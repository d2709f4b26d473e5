import type { UseCaseContext } from './use-case-context';
import { createUser } from './create-user';
import { assertAcceptableNewPassword } from './password-policy';
import type { SELF_ASSIGNABLE_ROLES, User } from './user';

export interface SignUpInput {
  email: string;
  password: string;
  name: string;
  /** Never `admin`: see SELF_ASSIGNABLE_ROLES. */
  role: (typeof SELF_ASSIGNABLE_ROLES)[number];
}

export async function signUp(deps: UseCaseContext, input: SignUpInput): Promise<User> {
  assertAcceptableNewPassword(input.password, 'password');
  const passwordHash = await deps.hasher.hash(input.password);
  return createUser(deps, { email: input.email, name: input.name, role: input.role, passwordHash });
}
