import { ProviderId } from '@sms/provider-port';
import { loadConfig } from '@sms/platform';
import { createProviderRegistry, UnknownProviderError } from './provider.registry';

describe('createProviderRegistry', () => {
  it('registers Twilio, Vonage, Sinch and AWS with the simulator defaults', () => {
    const registry = createProviderRegistry(loadConfig({}));

    expect(registry.ids()).toEqual(['twilio', 'vonage', 'sinch', 'aws']);
    expect(registry.get('vonage').id).toBe(ProviderId.Vonage);
    expect(registry.get('sinch').id).toBe(ProviderId.Sinch);
    expect(registry.get('aws').id).toBe(ProviderId.Aws);
    expect(() => registry.get('smpp-carrier-x')).toThrow(UnknownProviderError);
  });

  it('fails the boot on an unusable Vonage or Sinch setting, naming the key', () => {
    expect(() => createProviderRegistry(loadConfig({ VONAGE_SIGNATURE_METHOD: 'crc32' }))).toThrow(
      /VONAGE_SIGNATURE_METHOD/,
    );
    expect(() => createProviderRegistry(loadConfig({ SINCH_BASE_URL: 'not a url' }))).toThrow(/SINCH_BASE_URL/);
  });
});
