import type { RawSettings } from './settings-reader';

export interface KnownSettings {
  /** Every variable some slice reads. */
  readonly keys: ReadonlySet<string>;
  /** Prefixes only this project uses (`TWILIO_`, `SMPP_`, ...): any other variable under them is a mistake. */
  readonly prefixes: readonly string[];
  /** Variables other tools read (bench scripts, the test runner), by name pattern: not ours, not typos. */
  readonly foreign?: readonly RegExp[];
}

/** Shorter names are too close to unrelated ones (`HOST`, `HOME`, `PWD`) to call them typos of ours. */
const MIN_NEAR_MISS_LENGTH = 8;
const MAX_TYPO_DISTANCE = 2;

/**
 * Each variable set in `env` that looks like a setting of the gateway but is none: under one of its prefixes,
 * or a near miss of a known name (`TWILO_ACCOUNT_SID`, one or two letters off). Each entry names the variable
 * and, when there is one, the known name it was probably meant to be.
 */
export function unknownSettings(env: RawSettings, known: KnownSettings): string[] {
  const keys = [...known.keys];

  return Object.keys(env)
    .filter(
      (name) =>
        env[name] !== undefined && !known.keys.has(name) && !known.foreign?.some((pattern) => pattern.test(name)),
    )
    .sort()
    .flatMap((name) => {
      const nearest = nearestKnown(name, keys);
      if (nearest !== undefined) {
        return [`${name} is not a setting (did you mean ${nearest}?)`];
      }

      return known.prefixes.some((prefix) => name.startsWith(prefix)) ? [`${name} is not a setting`] : [];
    });
}

function nearestKnown(name: string, keys: readonly string[]): string | undefined {
  if (name.length < MIN_NEAR_MISS_LENGTH) {
    return undefined;
  }
  let best: { key: string; distance: number } | undefined;
  for (const key of keys) {
    if (Math.abs(key.length - name.length) > MAX_TYPO_DISTANCE) {
      continue;
    }
    const distance = editDistance(name, key);
    if (distance <= MAX_TYPO_DISTANCE && (best === undefined || distance < best.distance)) {
      best = { key, distance };
    }
  }

  return best?.key;
}

/** Levenshtein distance (insert, delete, substitute one character). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }

  return previous[b.length]!;
}
