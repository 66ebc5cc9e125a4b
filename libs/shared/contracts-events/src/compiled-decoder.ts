import type { ClassConstructor } from 'class-transformer';
import {
  arrayMaxSize,
  getMetadataStorage,
  isArray,
  isBoolean,
  isIn,
  isInt,
  isISO8601,
  isObject,
  isString,
  isUUID,
  length,
  max,
  maxLength,
  min,
} from 'class-validator';

/**
 * A contract class's class-validator decorators compiled into one plain predicate, for the hot consumers
 * (a receipt storm decodes two events per receipt). `validateSync` over `plainToInstance` does metadata
 * lookups, runs an executor, builds error objects and copies recursively for every event; the compiled check
 * does none of that (figures in docs/performance.md).
 *
 * The decorators stay the one source of truth: the checks are class-validator's own exported functions,
 * read from its metadata, and only the executor's plumbing is re-done here (optional = null/undefined
 * skips the rest, `each` applies to array elements, unknown properties are refused). A value the compiled
 * check accepts is one class-validator accepts; anything else (including every decorator this does not
 * know, which leaves the class uncompiled) goes through class-validator itself, so errors and their
 * messages are exactly as before. `compiled-decoder.spec.ts` holds the two to the same answers over
 * every contract class.
 */
export type CompiledCheck = (value: Record<string, unknown>) => boolean;

type ValueCheck = (value: unknown) => boolean;

interface PropertyRule {
  readonly name: string;
  readonly optional: boolean;
  readonly checks: readonly ValueCheck[];
}

type CheckFactory = (constraints: readonly unknown[]) => ValueCheck;

/** A check without constraints, or one whose constraints follow the value (class-validator's signature). */
const plain =
  (check: ValueCheck): CheckFactory =>
  () =>
    check;
/**
 * The constraints are bound once, at compile time: a check runs for every field of every consumed event, so
 * mapping and spreading its constraint list on each call is paid per record (docs/performance.md, "Figures
 * behind rules in the code").
 */
const constrained =
  (check: (value: unknown, ...constraints: never[]) => boolean): CheckFactory =>
  (constraints) => {
    const args = constraints.map((c) => c ?? undefined) as never[];
    if (args.length === 1) {
      const [first] = args;

      return (value) => check(value, first as never);
    }
    if (args.length === 2) {
      const [first, second] = args;

      return (value) => check(value, first as never, second as never);
    }

    return (value) => check(value, ...args);
  };

/**
 * class-validator's isEnum lists the enum's values on every call; its answer is `includes` over
 * `Object.keys(entity).map(key => entity[key])`, which a Set of the same values gives (both SameValueZero).
 */
const enumMember: CheckFactory = ([entity]) => {
  const values = new Set(Object.values((entity ?? {}) as Record<string, unknown>));

  return (value) => values.has(value);
};

/** The class-validator checks the compiler knows, by metadata name. */
const CHECKS: Readonly<Record<string, CheckFactory>> = {
  isString: plain(isString),
  isBoolean: plain(isBoolean),
  isInt: plain(isInt),
  isArray: plain(isArray),
  isObject: plain(isObject),
  isIso8601: constrained(isISO8601),
  isUuid: constrained(isUUID),
  isEnum: enumMember,
  isIn: constrained(isIn),
  isLength: constrained(length),
  maxLength: constrained(maxLength),
  min: constrained(min),
  max: constrained(max),
  arrayMaxSize: constrained(arrayMaxSize),
};

/** What `each: true` means to class-validator: every element of an array, or the value itself. */
const eachOf =
  (check: ValueCheck): ValueCheck =>
  (value) =>
    Array.isArray(value) ? value.every(check) : check(value);

const compiled = new Map<ClassConstructor<object>, CompiledCheck | null>();

/** The compiled check of `cls`, or null when one of its decorators is not one the compiler knows. */
export function compiledCheckOf(cls: ClassConstructor<object>): CompiledCheck | null {
  let check = compiled.get(cls);
  if (check === undefined) {
    check = compile(cls);
    compiled.set(cls, check);
  }

  return check;
}

function compile(cls: ClassConstructor<object>): CompiledCheck | null {
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  const byProperty = new Map<string, { optional: boolean; checks: ValueCheck[] }>();
  for (const meta of metadatas) {
    const rule = byProperty.get(meta.propertyName) ?? { optional: false, checks: [] };
    byProperty.set(meta.propertyName, rule);
    const hasGroups = meta.groups !== undefined && meta.groups.length > 0;
    if (hasGroups || meta.always || meta.validationTypeOptions !== undefined) {
      return null;
    }
    if (meta.type === 'conditionalValidation' && meta.name === 'isOptional') {
      rule.optional = true;
      continue;
    }
    const factory = meta.type === 'customValidation' && meta.name ? CHECKS[meta.name] : undefined;
    if (!factory) {
      return null; // nested, custom or unknown validation: class-validator decides
    }
    const check = factory(meta.constraints ?? []);
    rule.checks.push(meta.each ? eachOf(check) : check);
  }
  const rules: PropertyRule[] = [...byProperty].map(([name, rule]) => ({ name, ...rule }));
  const known = new Set(rules.map((rule) => rule.name));

  return (value) => {
    for (const key in value) {
      if (!known.has(key)) {
        return false; // forbidNonWhitelisted: class-validator names it in its error
      }
    }
    for (const rule of rules) {
      const field = value[rule.name];
      if (rule.optional && (field === null || field === undefined)) {
        continue;
      }
      for (const check of rule.checks) {
        if (!check(field)) {
          return false;
        }
      }
    }

    return true;
  };
}
