/**
 * Errors a user can cause, with the stable codes the GraphQL layer exposes as
 * `extensions.code`. Services throw these; resolvers never build error codes themselves.
 */
export type UserErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'FORBIDDEN' | 'CONFLICT' | 'UNAUTHENTICATED';

export class UserError extends Error {
  constructor(
    readonly code: UserErrorCode,
    message: string,
    /** The input field at fault, e.g. `input.measures[1].low`. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Invalid input: the message starts with the field's name and says what is accepted. */
export class InputError extends UserError {
  constructor(field: string, problem: string) {
    super('BAD_USER_INPUT', `${field} ${problem}`, field);
  }
}

export class NotFoundError extends UserError {
  constructor(kind: string, id: string) {
    super('NOT_FOUND', `${kind} ${id} was not found`);
  }
}

export class ConflictError extends UserError {
  constructor(message: string, field?: string) {
    super('CONFLICT', message, field);
  }
}
