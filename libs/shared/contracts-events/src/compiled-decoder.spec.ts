import type { ClassConstructor } from 'class-transformer';
import { IsNotEmpty, IsString } from 'class-validator';
import { compiledCheckOf } from './compiled-decoder';
import { AT, CONTRACT_SAMPLES, ID } from './contract-samples';
import { ContractViolationError, decodeEvent, decodeWithClassValidator } from './decode';
import { StatusEventKind } from './enums';
import { StatusChangedV1 } from './status-changed.event';

/** decodeEvent as it was before the compiled check: the reference the fast path must agree with. */
function referenceDecode<T extends object>(cls: ClassConstructor<T>, value: unknown): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ContractViolationError(`${cls.name}: value is not an object`);
  }

  return decodeWithClassValidator(cls, value);
}

type Outcome = { readonly ok: true; readonly value: object } | { readonly ok: false; readonly error: string };

const outcomeOf = (decode: () => object): Outcome => {
  try {
    return { ok: true, value: decode() };
  } catch (error) {
    return { ok: false, error: String(error) };
  }
};

/** Deterministic PRNG (mulberry32), so a failure names a reproducible case. */
function prng(seed: number): () => number {
  let a = seed;

  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;

    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Values that sit on the edges of the checks the contracts use. */
const TRICKY: readonly unknown[] = [
  null,
  0,
  1,
  -1,
  1.5,
  101,
  256,
  Number.MAX_SAFE_INTEGER,
  '',
  ' ',
  '1',
  'x',
  'x'.repeat(8),
  'x'.repeat(9),
  'x'.repeat(33),
  'x'.repeat(65),
  'x'.repeat(129),
  'x'.repeat(513),
  'x'.repeat(2049),
  true,
  false,
  'true',
  [],
  ['a'],
  [1],
  ['x'.repeat(129)],
  Array.from({ length: 256 }, () => 'p'),
  {},
  { a: 'b' },
  { a: 1 },
  ID,
  ID.toUpperCase(),
  '00000000-0000-0000-0000-000000000000',
  '6f1c2d3e-4a5b-9c6d-8e7f-8091a2b3c4d5',
  `urn:uuid:${ID}`,
  AT,
  '2026-01-01',
  '2026-01-01T12:00Z',
  '2026-13-01T12:00:00Z',
  '2026-01-01 12:00:00',
  'yesterday',
  'sent',
  'delivered',
  'queued',
  'dlr',
  'status',
  'inbound',
  'pool',
  'keyword',
  'twilio',
  'transactional',
  'GSM-7',
  'GB',
  'GBR',
  '+447400123456',
];

function mutate(valid: Record<string, unknown>, random: () => number): Record<string, unknown> {
  const value: Record<string, unknown> = JSON.parse(JSON.stringify(valid)) as Record<string, unknown>;
  const fields = Object.keys(valid);
  const changes = 1 + Math.floor(random() * 3);
  for (let c = 0; c < changes; c++) {
    const roll = random();
    const field = fields[Math.floor(random() * fields.length)] as string;
    if (roll < 0.15) {
      delete value[field];
    } else if (roll < 0.2) {
      value[random() < 0.5 ? 'extra' : '__proto__'] = 1;
    } else {
      value[field] = TRICKY[Math.floor(random() * TRICKY.length)];
    }
  }

  return value;
}

describe('compiled contract checks', () => {
  it.each(CONTRACT_SAMPLES.map((sample) => [sample.cls.name, sample] as const))(
    '%s is compiled (every decorator it uses is one the compiler knows)',
    (_name, { cls }) => {
      expect(compiledCheckOf(cls)).not.toBeNull();
    },
  );

  it.each(CONTRACT_SAMPLES.map((sample) => [sample.cls.name, sample] as const))(
    '%s: decodeEvent and class-validator agree on 3,000 mutated payloads (outcome, value, error)',
    (_name, { cls, valid, wrongType }) => {
      const random = prng(cls.name.length * 7919);
      const candidates: unknown[] = [
        valid,
        ...wrongType.map(([field, wrong]) => ({ ...valid, [field]: wrong })),
        ...Array.from({ length: 3_000 }, () => mutate(valid, random)),
      ];
      let accepted = 0;
      for (const candidate of candidates) {
        // Parsed from JSON text, as every consumer gets its value.
        const text = JSON.stringify(candidate);
        const expected = outcomeOf(() => referenceDecode(cls, JSON.parse(text)));
        const actual = outcomeOf(() => decodeEvent(cls, JSON.parse(text)));
        expect({ payload: text, ...actual }).toEqual({ payload: text, ...expected });
        if (actual.ok && expected.ok) {
          accepted++;
          expect(Object.getPrototypeOf(actual.value)).toBe(cls.prototype);
          expect(Object.keys(actual.value)).toEqual(Object.keys(expected.value));
        }
      }
      // Both outcomes were exercised: the mutations are not all rejected, nor all accepted.
      expect(accepted).toBeGreaterThan(10);
      expect(accepted).toBeLessThan(candidates.length - 10);
    },
  );

  it("takes an enum field's values and refuses its key names, as class-validator does", () => {
    const sample = CONTRACT_SAMPLES.find((s) => s.cls === StatusChangedV1);
    const check = compiledCheckOf(StatusChangedV1);
    expect(sample && check).toBeTruthy();
    const candidates = [
      ...Object.values(StatusEventKind),
      ...Object.keys(StatusEventKind).filter((key) => !(Object.values(StatusEventKind) as string[]).includes(key)),
      'SENT',
      '',
      0,
    ];
    for (const kind of candidates) {
      const value = { ...(sample?.valid as Record<string, unknown>), kind };
      const expected = outcomeOf(() => referenceDecode(StatusChangedV1, value)).ok;
      expect({ kind, accepted: check?.(value) }).toEqual({ kind, accepted: expected });
    }
    expect(check?.({ ...(sample?.valid as Record<string, unknown>), kind: StatusEventKind.Delivered })).toBe(true);
    expect(check?.({ ...(sample?.valid as Record<string, unknown>), kind: 'Delivered' })).toBe(false);
  });

  it('leaves a class with a decorator it does not know to class-validator', () => {
    class WithUnknownDecorator {
      @IsString()
      @IsNotEmpty()
      name!: string;
    }

    expect(compiledCheckOf(WithUnknownDecorator)).toBeNull();
    expect(decodeEvent(WithUnknownDecorator, { name: 'a' })).toBeInstanceOf(WithUnknownDecorator);
    expect(() => decodeEvent(WithUnknownDecorator, { name: '' })).toThrow(/name: name should not be empty/);
  });
});
