import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';
import { compiledCheckOf } from './compiled-decoder';

/** A record whose value does not match its topic's contract. Consumers send it to the DLQ. */
export class ContractViolationError extends Error {
  override readonly name = 'ContractViolationError';
  /** The bus sends such a record to its DLQ at once: retrying cannot make it valid. */
  readonly nonRetriable = true;
}

/**
 * Validates a consumed value against its topic's payload class and returns a typed instance.
 * Unknown properties are rejected so a producer's typo cannot silently drop a field.
 */
export function decodeEvent<T extends object>(cls: ClassConstructor<T>, value: unknown): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ContractViolationError(`${cls.name}: value is not an object`);
  }
  // The common case, a valid event, takes the compiled check (same decorators, a fraction of the CPU:
  // docs/performance.md). Anything it does not accept is decided, and explained, by class-validator below.
  const fast = compiledCheckOf(cls);
  if (fast?.(value as Record<string, unknown>)) {
    // What plainToInstance makes of a plain JSON value without @Type metadata: the class with its fields.
    return withDefaults(cls, Object.assign(new cls(), value));
  }

  return decodeWithClassValidator(cls, value);
}

/**
 * The decode as class-validator does it, and the authority: what the compiled check does not accept is
 * decided, and its error worded, here (the compiled decoder's spec holds the two to the same answers).
 */
export function decodeWithClassValidator<T extends object>(cls: ClassConstructor<T>, value: object): T {
  const instance = plainToInstance(cls, value);
  const errors = validateSync(instance, { forbidNonWhitelisted: true, whitelist: true });
  if (errors.length > 0) {
    const detail = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join(', ')}`).join('; ');
    throw new ContractViolationError(`${cls.name}: ${detail}`);
  }

  return withDefaults(cls, instance);
}

const defaultsByClass = new Map<ClassConstructor<object>, readonly (readonly [string, unknown])[]>();

/**
 * A field the class initialises (a field added to a contract later, such as `accountId`) keeps its
 * default when the record has it absent or null: records published before the field existed, or by a
 * producer that does not know it, read as the contract says they should.
 */
function withDefaults<T extends object>(cls: ClassConstructor<T>, instance: T): T {
  let defaults = defaultsByClass.get(cls);
  if (defaults === undefined) {
    defaults = Object.entries(new cls()).filter(([, value]) => value !== undefined && value !== null);
    defaultsByClass.set(cls, defaults);
  }
  const fields = instance as Record<string, unknown>;
  for (const [name, value] of defaults) {
    if (fields[name] === null || fields[name] === undefined) {
      fields[name] = value;
    }
  }

  return instance;
}
