import { loadConfig } from '@sms/platform';
import { SmppSmsProvider } from '@sms/provider-smpp';
import { closeProviders, createProviderRegistry } from './provider.registry';

describe('createProviderRegistry: SMPP', () => {
  it('registers the SMPP adapter for the simulated SMSC, without opening any bind', async () => {
    const registry = createProviderRegistry(loadConfig({ SIMULATOR_ENABLED: 'true', SMPP_SIM_PORT: '0' }));
    const smpp = registry.get('smpp');
    expect(smpp).toBeInstanceOf(SmppSmsProvider);
    // Parsing receipts (dlr-processor) must never connect: binds open on the first send or for a receiver.
    expect((smpp as SmppSmsProvider).pool.binds.map((bind) => bind.state)).toEqual(['idle', 'idle']);
    await closeProviders(registry);
  });

  it('registers a configured SMSC with the pool settings', () => {
    const registry = createProviderRegistry(
      loadConfig({ SIMULATOR_ENABLED: 'false', SMPP_HOST: 'smsc.example', SMPP_BINDS: '4', SMPP_WINDOW: '50' }),
    );
    expect((registry.get('smpp') as SmppSmsProvider).pool.binds).toHaveLength(4);
  });

  it('has no SMPP adapter without an SMSC or the simulator', () => {
    const registry = createProviderRegistry(loadConfig({ SIMULATOR_ENABLED: 'false' }));
    expect(registry.has('smpp')).toBe(false);
    expect(registry.has('twilio')).toBe(true);
  });
});
