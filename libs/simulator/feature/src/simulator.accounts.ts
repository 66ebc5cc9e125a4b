import { randomBytes } from 'node:crypto';
import type { AwsSimCredentials } from './aws-sim.sigv4';
import type { SinchSimCredentials } from './sinch-sim.routes';
import type { VonageSimCredentials } from './vonage-sim.routes';

/**
 * The provider accounts one simulator serves: what its APIs accept and what its webhooks are signed with.
 * Always generated (per data folder in the embedded gateway, per run in scripts/distributed.ts), never a
 * configured provider's: a simulator that signed with the real TWILIO_AUTH_TOKEN would hand anyone able to
 * drive it a forgery of the real provider's webhooks.
 */
export interface SimulatorAccounts {
  readonly twilio: { readonly accountSid: string; readonly authToken: string };
  readonly vonage: VonageSimCredentials;
  readonly sinch: SinchSimCredentials;
  readonly aws: Pick<AwsSimCredentials, 'accessKeyId' | 'secretAccessKey'>;
  readonly smpp: { readonly systemId: string; readonly password: string };
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
const secret = (): string => randomBytes(32).toString('base64url');
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Fresh random accounts, shaped like each provider's own (Twilio SID `AC`+32, AWS key id `AKIA`+16, SMPP ≤ 8). */
export function generateSimulatorAccounts(): SimulatorAccounts {
  const keyId = [...randomBytes(16)].map((byte) => UPPER_ALNUM[byte % UPPER_ALNUM.length]).join('');

  return {
    twilio: { accountSid: `AC${hex(16)}`, authToken: secret() },
    vonage: { apiKey: hex(4), apiSecret: secret(), signatureSecret: secret() },
    sinch: { servicePlanId: hex(16), apiToken: secret(), callbackSecret: secret() },
    aws: { accessKeyId: `AKIA${keyId}`, secretAccessKey: secret() },
    smpp: { systemId: `sim${hex(4)}`, password: hex(4) },
  };
}

/** True when `value` has every field {@link generateSimulatorAccounts} makes, each a non-empty string. */
export function isSimulatorAccounts(value: unknown): value is SimulatorAccounts {
  const shape: Record<string, readonly string[]> = {
    twilio: ['accountSid', 'authToken'],
    vonage: ['apiKey', 'apiSecret', 'signatureSecret'],
    sinch: ['servicePlanId', 'apiToken', 'callbackSecret'],
    aws: ['accessKeyId', 'secretAccessKey'],
    smpp: ['systemId', 'password'],
  };
  if (typeof value !== 'object' || value === null) {
    return false;
  }

  return Object.entries(shape).every(([provider, fields]) => {
    const account = (value as Record<string, unknown>)[provider];

    return (
      typeof account === 'object' &&
      account !== null &&
      fields.every((field) => {
        const v = (account as Record<string, unknown>)[field];

        return typeof v === 'string' && v !== '';
      })
    );
  });
}

/** The accounts of the HTTP APIs, in the shape of the plugin's options (the SMSC takes its port with its own). */
export function httpApiAccounts(
  accounts: SimulatorAccounts,
): Pick<SimulatorAccounts, 'twilio' | 'vonage' | 'sinch' | 'aws'> {
  return { twilio: accounts.twilio, vonage: accounts.vonage, sinch: accounts.sinch, aws: accounts.aws };
}
