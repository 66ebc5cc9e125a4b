import { ProviderId } from '@sms/provider-port';
import { loadConfig } from '@sms/platform';
import { SmppSmsProvider } from '@sms/provider-smpp';
import { closeProviders, createProviderRegistry, UnknownProviderError } from './provider.registry';

const providersOf = (env: Record<string, string>) => loadConfig(env).providers;

describe('createProviderRegistry', () => {
  it('registers Twilio, Vonage, Sinch, AWS and SMPP with the simulator defaults', async () => {
    const registry = createProviderRegistry(providersOf({ SMPP_SIM_PORT: '0' }));

    expect(registry.ids()).toEqual(['twilio', 'vonage', 'sinch', 'aws', 'smpp']);
    expect(registry.get('vonage').id).toBe(ProviderId.Vonage);
    expect(registry.get('sinch').id).toBe(ProviderId.Sinch);
    expect(registry.get('aws').id).toBe(ProviderId.Aws);
    expect(() => registry.get('smpp-carrier-x')).toThrow(UnknownProviderError);
    await closeProviders(registry);
  });

  it('fails the boot on an unusable Vonage or Sinch setting, naming the key', () => {
    expect(() => providersOf({ VONAGE_SIGNATURE_METHOD: 'crc32' })).toThrow(/VONAGE_SIGNATURE_METHOD/);
    expect(() => providersOf({ SINCH_BASE_URL: 'not a url' })).toThrow(/SINCH_BASE_URL/);
  });
});

describe('createProviderRegistry: SMPP', () => {
  it('registers the SMPP adapter for the simulated SMSC, without opening any bind', async () => {
    const registry = createProviderRegistry(providersOf({ SIMULATOR_ENABLED: 'true', SMPP_SIM_PORT: '0' }));
    const smpp = registry.get('smpp');
    expect(smpp).toBeInstanceOf(SmppSmsProvider);
    // Parsing receipts (dlr-processor) must never connect: binds open on the first send or for a receiver.
    expect((smpp as SmppSmsProvider).pool.binds.map((bind) => bind.state)).toEqual(['idle', 'idle']);
    await closeProviders(registry);
  });

  it('registers a configured SMSC with the pool settings', () => {
    const registry = createProviderRegistry(
      providersOf({
        SIMULATOR_ENABLED: 'false',
        SMPP_HOST: 'smsc.example',
        SMPP_SYSTEM_ID: 'acme',
        SMPP_BINDS: '4',
        SMPP_WINDOW: '50',
      }),
    );
    expect((registry.get('smpp') as SmppSmsProvider).pool.binds).toHaveLength(4);
  });

  it('has no SMPP adapter without an SMSC or the simulator', () => {
    const registry = createProviderRegistry(providersOf({ SIMULATOR_ENABLED: 'false' }));
    expect(registry.has('smpp')).toBe(false);
    expect(registry.has('twilio')).toBe(true);
  });
});
