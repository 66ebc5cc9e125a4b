/** A source of uniform numbers in [0, 1). Seeded runs make knob-driven outcomes reproducible in tests. */
export type Rng = () => number;

/** mulberry32: tiny, fast and good enough for picking outcomes; not for anything secret. */
export function createRng(seed?: number): Rng {
  if (seed === undefined) {
    return Math.random;
  }
  let state = seed >>> 0;

  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);

    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Picks a key with probability proportional to its weight; weights are validated to sum above zero. */
export function pickWeighted<K extends string>(rng: Rng, weights: Readonly<Record<K, number>>): K {
  const entries = Object.entries(weights) as [K, number][];
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = rng() * total;
  for (const [key, weight] of entries) {
    roll -= weight;
    if (roll < 0) {
      return key;
    }
  }

  // Floating-point leftovers land on the last key with any weight.
  return entries.filter(([, weight]) => weight > 0).at(-1)?.[0] ?? (entries[0] as [K, number])[0];
}

export function pickOne<T>(rng: Rng, items: readonly [T, ...T[]]): T {
  return items[Math.floor(rng() * items.length)] ?? items[0];
}
