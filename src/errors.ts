/** Domain errors with the codes of SPEC §9; mapped to GraphQL errors once, in formatError. */
export abstract class AppError extends Error {
  abstract readonly code: string;
  readonly extensions: Record<string, unknown> = {};
}

export class UnauthenticatedError extends AppError {
  readonly code = 'UNAUTHENTICATED';
  constructor(message = 'A valid bearer token is required') {
    super(message);
  }
}

export class ForbiddenError extends AppError {
  readonly code = 'FORBIDDEN';
}

export class NotFoundError extends AppError {
  readonly code = 'NOT_FOUND';
  constructor(what: string, id: string) {
    super(`${what} ${id} not found`);
  }
}

/** Bad input: `fields` maps an input path (e.g. `input.complainant.email`) to a message. */
export class BadUserInputError extends AppError {
  readonly code = 'BAD_USER_INPUT';
  constructor(readonly fields: Record<string, string>) {
    super(
      `Invalid input: ${Object.entries(fields)
        .map(([k, v]) => `${k}: ${v}`)
        .join('; ')}`,
    );
    this.extensions.fields = fields;
  }
}

/** A lifecycle rule of SPEC §4 was broken; `rule` names it. */
export class InvalidTransitionError extends AppError {
  readonly code = 'INVALID_TRANSITION';
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(message);
    this.extensions.rule = rule;
  }
}

export class ConflictError extends AppError {
  readonly code = 'CONFLICT';
  constructor(expectedVersion: number, currentVersion: number) {
    super(`The complaint has moved on: expected version ${expectedVersion}, current version is ${currentVersion}`);
    this.extensions.expectedVersion = expectedVersion;
    this.extensions.currentVersion = currentVersion;
  }
}

export class IdempotencyKeyReusedError extends AppError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  constructor(key: string) {
    super(`Idempotency key "${key}" was already used with a different input`);
  }
}
