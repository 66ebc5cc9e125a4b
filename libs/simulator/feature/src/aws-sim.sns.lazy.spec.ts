import { packagesLoadedBy, sourcePath } from '@sms/testing';

const sns = sourcePath('libs', 'simulator', 'feature', 'src', 'aws-sim.sns.ts');

describe('selfsigned is loaded only when the SNS signing identity is first needed', () => {
  it('is not loaded with the module', () => {
    expect(packagesLoadedBy(`new (require(${sns}).SnsIdentityHolder)();`)).not.toContain('selfsigned');
  });

  it('is loaded, and issues the certificate, on first use', () => {
    const loaded = packagesLoadedBy(`
      const identity = await new (require(${sns}).SnsIdentityHolder)().get();
      if (!identity.certificatePem.startsWith('-----BEGIN CERTIFICATE-----')) throw new Error('no certificate');`);

    expect(loaded).toContain('selfsigned');
  });
});
