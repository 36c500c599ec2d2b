import { iso31661, iso31662 } from 'iso-3166';
import { isEmail, registerDecorator, ValidationArguments, ValidationError, ValidationOptions } from 'class-validator';

const JURISDICTIONS = new Set<string>([...iso31661.map((c) => c.alpha2), ...iso31662.map((s) => s.code)]);

/** ISO 3166-1 alpha-2 country (DE) or ISO 3166-2 subdivision (US-CA). */
export function isJurisdiction(value: unknown): boolean {
  return typeof value === 'string' && JURISDICTIONS.has(value);
}

export function IsJurisdiction(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isJurisdiction',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'must be an ISO 3166-1 alpha-2 country or ISO 3166-2 subdivision code (e.g. DE, US-CA)', ...options },
      validator: { validate: isJurisdiction },
    });
}

/** An email address, or nothing (null/undefined): for contact fields where another may stand in. */
export function IsEmailOrAbsent(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isEmailOrAbsent',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'must be an email address', ...options },
      validator: { validate: (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.length <= 320 && isEmail(v)) },
    });
}

/** A DateTime that is not later than now (intake cannot be received in the future). */
export function IsNotInFuture(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isNotInFuture',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'must not be in the future', ...options },
      validator: { validate: (v: unknown) => v === undefined || v === null || (v instanceof Date && v.getTime() <= Date.now()) },
    });
}

/** Requires at least one of the named sibling properties to be set. */
export function RequiresOneOf(properties: string[], options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'requiresOneOf',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: properties,
      options: { message: `at least one of ${properties.join(' or ')} is required`, ...options },
      validator: {
        validate: (_v: unknown, args: ValidationArguments) =>
          properties.some((p) => {
            const value = (args.object as Record<string, unknown>)[p];
            return value !== undefined && value !== null && value !== '';
          }),
      },
    });
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
