/** Raw settings as the environment holds them: variable name to text. */
export type RawSettings = Readonly<Record<string, string | undefined>>;

/**
 * A configuration the process cannot run with. Lists every problem at once, each starting with the variable it
 * is about, so an operator fixes them in one round; values are never quoted (some are secrets).
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    /** What was being read, e.g. `Twilio` or `environment`. */
    readonly subject: string,
    /** Every variable named by a problem, once each. */
    readonly invalidKeys: readonly string[],
    readonly problems: readonly string[],
  ) {
    super(`Invalid ${subject} configuration: ${problems.join('; ')}`);
  }
}

const YES = ['1', 'true', 'yes', 'on'];
const NO = ['0', 'false', 'no', 'off'];

interface Optional<T> {
  /** Used when the variable is unset or blank. Without it the variable is required. */
  readonly default?: T;
}

/**
 * Reads one slice of settings: each method returns the typed value (or its default) and records a problem
 * naming the variable when the text is unusable; {@link SettingsReader.done} throws them all as one
 * {@link ConfigError}. A blank value counts as unset, as in a compose file's `KEY: ""`.
 */
export class SettingsReader {
  private readonly problems: string[] = [];
  private readonly invalidKeys = new Set<string>();
  private readonly readKeys = new Set<string>();

  constructor(
    private readonly raw: RawSettings,
    private readonly subject: string,
  ) {}

  /**
   * Every variable this reader was asked for, set or not: the settings its slices define. A slice reads each of
   * its variables on every run (whatever the others hold), so this is the whole list for the unknown-setting check.
   */
  get keys(): ReadonlySet<string> {
    return this.readKeys;
  }

  /** Whether any problem was recorded so far (a later rule that builds on these values can then stay quiet). */
  get failed(): boolean {
    return this.problems.length > 0;
  }

  /** The trimmed text of a variable, undefined when unset or blank. */
  text(key: string): string | undefined {
    this.readKeys.add(key);
    const value = this.raw[key]?.trim();

    return value === '' ? undefined : value;
  }

  /** Records a problem with `key` (or with several variables that contradict one another). */
  fail(keys: string | readonly string[], problem: string): void {
    const list = typeof keys === 'string' ? [keys] : keys;
    list.forEach((key) => this.invalidKeys.add(key));
    this.problems.push(`${list.join(' and ')} ${problem}`);
  }

  /** Records a whole sentence that already names its variables (`keys`), from a check shared with other callers. */
  report(keys: string | readonly string[], sentence: string): void {
    (typeof keys === 'string' ? [keys] : keys).forEach((key) => this.invalidKeys.add(key));
    this.problems.push(sentence);
  }

  /** Records `problem` against `keys` unless `holds`: for settings that are each valid but contradict. */
  require(holds: boolean, keys: string | readonly string[], problem: string): void {
    if (!holds) {
      this.fail(keys, problem);
    }
  }

  string(
    key: string,
    options: Optional<string> & { readonly pattern?: RegExp; readonly problem?: string } = {},
  ): string {
    const value = this.text(key) ?? options.default;
    if (value === undefined) {
      this.fail(key, options.problem ?? 'is required');

      return '';
    }
    if (options.pattern && !options.pattern.test(value)) {
      this.fail(key, options.problem ?? `must match ${String(options.pattern)}`);
    }

    return value;
  }

  /**
   * A value never to be shown: problems name the variable and the rule only. Trimmed unless `exact` (an SMPP
   * password may end in a space); blank counts as unset either way.
   */
  secret(
    key: string,
    options: Optional<string> & { readonly maxLength?: number; readonly exact?: boolean } = {},
  ): string {
    this.readKeys.add(key);
    const given = this.raw[key];
    const blank = given === undefined || given.trim() === '';
    const value = blank ? options.default : options.exact ? given : given.trim();
    if (value === undefined) {
      this.fail(key, 'is required');

      return '';
    }
    if (options.maxLength !== undefined && value.length > options.maxLength) {
      this.fail(key, `must be at most ${options.maxLength} characters`);
    }

    return value;
  }

  /** An absolute http(s) URL without its trailing slashes. */
  url(key: string, options: Optional<string> = {}): string {
    const value = this.string(key, options).replace(/\/+$/, '');
    if (value !== '' && !isHttpUrl(value)) {
      this.fail(key, 'must be an absolute http(s) URL');
    }

    return value;
  }

  /** An integer from `min` to `max`; `unit` is named in the problem (e.g. `ms`). */
  int(
    key: string,
    options: Optional<number> & { readonly min: number; readonly max: number; readonly unit?: string },
  ): number {
    const text = this.text(key);
    const value = text === undefined ? options.default : /^[-+]?\d+$/.test(text) ? Number(text) : Number.NaN;
    if (value === undefined) {
      this.fail(key, 'is required');

      return options.min;
    }
    if (!Number.isSafeInteger(value) || value < options.min || value > options.max) {
      const unit = options.unit ? ` (${options.unit})` : '';
      this.fail(key, `must be an integer between ${options.min} and ${options.max}${unit}`);
    }

    return value;
  }

  /** One of `choices`, compared case-insensitively and returned as spelled in `choices`. */
  oneOf<T extends string>(key: string, choices: readonly T[], options: Optional<T> = {}): T {
    const text = this.text(key);
    const value = text === undefined ? options.default : choices.find((c) => c.toLowerCase() === text.toLowerCase());
    if (value === undefined) {
      this.fail(key, text === undefined ? 'is required' : `must be one of ${choices.join(', ')}`);

      return choices[0]!;
    }

    return value;
  }

  /** A yes/no word; anything else is refused, so that a typo cannot turn a switch off. */
  bool(key: string, options: Optional<boolean> = {}): boolean {
    const text = this.text(key)?.toLowerCase();
    if (text === undefined) {
      if (options.default === undefined) {
        this.fail(key, 'is required');
      }

      return options.default ?? false;
    }
    if (YES.includes(text)) {
      return true;
    }
    if (NO.includes(text)) {
      return false;
    }
    this.fail(key, 'must be true or false');

    return options.default ?? false;
  }

  /** A comma-separated list, blanks dropped; each item must match `item` when given. */
  list(key: string, options: { readonly item?: RegExp; readonly problem?: string } = {}): readonly string[] {
    const items = (this.text(key) ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    if (options.item && items.some((entry) => !options.item!.test(entry))) {
      this.fail(key, options.problem ?? `must be a comma-separated list matching ${String(options.item)}`);
    }

    return items;
  }

  /** A regular expression (from its source text). */
  regex(key: string, options: Optional<string> = {}): RegExp {
    const source = this.string(key, options);
    try {
      return new RegExp(source);
    } catch {
      this.fail(key, 'must be a valid regular expression');

      return /(?!)/;
    }
  }

  /** The value read, frozen, or one {@link ConfigError} with every problem recorded. */
  done<T extends object>(value: T): Readonly<T> {
    if (this.problems.length > 0) {
      throw new ConfigError(this.subject, [...this.invalidKeys], this.problems);
    }

    return Object.freeze(value);
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);

    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
