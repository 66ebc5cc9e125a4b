import type { SmsProvider } from '@sms/provider-port';
import type { ProviderRegistry } from '@sms/providers';
import { SendSlots } from './send-slots';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function registry(providers: Record<string, Partial<SmsProvider>>): ProviderRegistry {
  return {
    has: (id: string) => id in providers,
    get: (id: string) => providers[id] as SmsProvider,
  } as unknown as ProviderRegistry;
}

describe(SendSlots.name, () => {
  it('holds a provider with a window to its segments in flight, one segment per part', async () => {
    const slots = new SendSlots(registry({ smpp: { maxInFlightSegments: 4 }, twilio: {} }));
    const releases = [await slots.acquire('smpp', 3)];
    let fourth = false;
    const waiting = slots.acquire('smpp', 2).then((release) => {
      fourth = true;

      return release;
    });
    await tick();
    expect(fourth).toBe(false);
    // A provider without a window of its own is not held up by another's.
    releases.push(await slots.acquire('twilio', 3));
    releases[0]?.();
    await tick();
    expect(fourth).toBe(true);
    (await waiting)();
    releases[1]?.();
  });

  it('bounds every call in the process by the global cap, whatever the provider', async () => {
    const slots = new SendSlots(registry({ twilio: {}, vonage: {} }), 2);
    const held = [await slots.acquire('twilio', 1), await slots.acquire('vonage', 1)];
    let third = false;
    const waiting = slots.acquire('unknown-provider', 1).then((release) => {
      third = true;

      return release;
    });
    await tick();
    expect(third).toBe(false);
    held[0]?.();
    await tick();
    expect(third).toBe(true);
    (await waiting)();
    held[1]?.();
  });
});
