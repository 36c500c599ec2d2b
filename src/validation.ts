import { iso31661, iso31662 } from 'iso-3166';
import { isEmail, registerDecorator, ValidationArguments, ValidationError, ValidationOptions } from 'class-validator';

const JURISDICTIONS = new Set<string>([...iso31661.map((c) => c.alpha2), ...iso31662.map((s) => s.code)]);

/** ISO 3166-1 alpha-2 country (DE) or ISO 3166-2 subdivision (US-CA). */
export function isJurisdiction(value: unknown): boolean {
  return typeof value === 'string' && JURISDICTIONS.has(value);
}

/** A property decorator from a predicate: the one shape of this module's rules. */
function rule(name: string, message: string, validate: (value: unknown, args: ValidationArguments) => boolean, constraints?: unknown[]) {
  return (options?: ValidationOptions): PropertyDecorator =>
    (target, propertyName) =>
      registerDecorator({
        name,
        target: target.constructor,
        propertyName: propertyName as string,
        constraints,
        options: { message, ...options },
        validator: { validate },
      });
}

const absent = (v: unknown) => v === undefined || v === null;

export const IsJurisdiction = rule('isJurisdiction', 'must be an ISO 3166-1 alpha-2 country or ISO 3166-2 subdivision code (e.g. DE, US-CA)', isJurisdiction);

/** An email address, or nothing: for contact fields where another may stand in. */
export const IsEmailOrAbsent = rule(
  'isEmailOrAbsent',
  'must be an email address',
  (v) => absent(v) || (typeof v === 'string' && v.length <= 320 && isEmail(v)),
);

/** A DateTime that is not later than now (intake cannot be received in the future). */
export const IsNotInFuture = rule('isNotInFuture', 'must not be in the future', (v) => absent(v) || (v instanceof Date && v.getTime() <= Date.now()));

/** Requires at least one of the named sibling properties to be set. */
export function RequiresOneOf(properties: string[], options?: ValidationOptions): PropertyDecorator {
  const present = (args: ValidationArguments) =>
    properties.some((p) => !absent((args.object as Record<string, unknown>)[p]) && (args.object as Record<string, unknown>)[p] !== '');
  return rule('requiresOneOf', `at least one of ${properties.join(' or ')} is required`, (_v, args) => present(args), properties)(options);
}

/** Flattens class-validator's tree into path → message (`input.complainant.email`). */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) fields[path] = Object.values(error.constraints).join('; ');
    if (error.children?.length) Object.assign(fields, flattenValidationErrors(error.children, path));
  }
  return fields;
}

/**
 * PostgreSQL text cannot hold NUL, and a lone UTF-16 surrogate has no UTF-8 form (it would be
 * stored as U+FFFD, so the audit hash of what was sent would not match what was kept).
 */
// eslint-disable-next-line no-control-regex -- NUL is the character this looks for
const NUL = /\u0000/;
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Instants every part of the service (PostgreSQL, luxon, the holiday calendar) handles. */
export const EARLIEST_INSTANT = new Date('1900-01-01T00:00:00.000Z');
export const LATEST_INSTANT = new Date('9999-12-31T23:59:59.999Z');

/** Why a text value cannot be stored, or null when it can. */
export function textProblem(value: string): string | null {
  if (NUL.test(value)) return 'must not contain a NUL character (\\u0000)';
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode (it contains a lone surrogate)';
  return null;
}

/** Why an instant is out of range, or null when it is in range. */
export function instantProblem(value: Date): string | null {
  if (Number.isNaN(value.getTime()) || value < EARLIEST_INSTANT || value > LATEST_INSTANT) {
    return `must be between ${EARLIEST_INSTANT.toISOString()} and ${LATEST_INSTANT.toISOString()}`;
  }
  return null;
}
