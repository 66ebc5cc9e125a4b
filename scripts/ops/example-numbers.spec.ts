import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parsePhone } from '@sms/phone';
import { loadConfig } from '@sms/platform';

const ROOT = path.join(__dirname, '..', '..');

/** Source files (not specs) under `dir`, recursively. */
function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return sources(relative);
    }

    return /\.(ts|md)$/.test(entry.name) && !/spec\.ts$/.test(entry.name) ? [relative] : [];
  });
}

/**
 * Where the gateway ships numbers a person or a process will use as they are: the router's seeded pool,
 * the masking pool default, the simulator, every API example (DTOs, operator views, the start banner) and
 * the docs. Each must be a real, assigned range under libphonenumber's max metadata, the rule intake
 * applies, or the API refuses its own examples and a seeded sender's STOP confirmations are dropped.
 * Specs are left out: some hold invalid numbers on purpose.
 */
const FILES = [
  'libs/router/feature/src/database/router.seed.ts',
  'libs/shared/util-platform/src/config/app.config.ts',
  'apps/gateway/src/main.ts',
  ...sources('libs/simulator/feature/src'),
  ...sources('apps/simulator/src'),
  ...sources('libs/shared/contracts-events/src'),
  ...['intake', 'router', 'opt-out', 'masking'].flatMap((service) => sources(`libs/${service}/feature/src`)),
  ...sources('docs'),
];

// A number written as a pattern (`+447700900xxx`) is a range being described, not a number to use.
const E164 = /\+[1-9]\d{7,14}(?![\dxX])/g;

const numbersIn = (file: string): string[] =>
  [...readFileSync(path.join(ROOT, file), 'utf8').matchAll(E164)].map((m) => m[0]);

describe('seeded and example numbers', () => {
  const found = FILES.flatMap((file) => numbersIn(file).map((number) => ({ file, number })));

  it('finds the seeded pool and the examples (the scan is not vacuous)', () => {
    expect(numbersIn('libs/router/feature/src/database/router.seed.ts').length).toBeGreaterThanOrEqual(30);
    expect(new Set(found.map((entry) => entry.file)).size).toBeGreaterThanOrEqual(8);
  });

  it('are all valid under libphonenumber max metadata', () => {
    const invalid = found.filter(({ number }) => !parsePhone(number).ok);

    expect(invalid).toEqual([]);
  });

  it('the masking pool default is valid too', () => {
    const pool = loadConfig({}).masking.poolNumbers;

    expect(pool.length).toBeGreaterThan(0);
    expect(pool.filter((number) => !parsePhone(number).ok)).toEqual([]);
  });

  it('would catch a drama-range number (the GB seeds used Ofcom 07700 900xxx)', () => {
    expect(parsePhone('+447700900999').ok).toBe(false);
    expect(parsePhone('+33700000001').ok).toBe(false);
  });
});
