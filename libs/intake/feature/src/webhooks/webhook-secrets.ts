import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** Generated secrets: `whsec_` and 32 random bytes, base64url (43 characters). */
export const generateWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

/** The shortest WEBHOOK_SECRETS_KEY accepted: the key is its SHA-256, so it needs the entropy itself. */
export const MIN_SECRETS_KEY_LENGTH = 32;

const VERSION = 'v1';

/**
 * Subscription secrets at rest. The gateway must sign with the secret itself, so it cannot keep only a
 * hash (as it does for API keys): it keeps it sealed with AES-256-GCM under a key that lives with the other
 * secrets of the deployment (WEBHOOK_SECRETS_KEY, in the environment or the k8s Secret, never in the
 * database; docs/security.md), so a database dump alone does not let anyone forge a webhook. The row's id
 * is the additional authenticated data: a sealed secret copied onto another row does not open.
 */
export class WebhookSecretBox {
  private readonly key: Buffer;

  constructor(secretsKey: string) {
    if (secretsKey.length < MIN_SECRETS_KEY_LENGTH) {
      throw new Error(`WEBHOOK_SECRETS_KEY must be at least ${MIN_SECRETS_KEY_LENGTH} characters`);
    }
    this.key = createHash('sha256').update(secretsKey).digest();
  }

  seal(secret: string, subscriptionId: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(subscriptionId));
    const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);

    return [VERSION, ...[iv, cipher.getAuthTag(), sealed].map((part) => part.toString('base64url'))].join('.');
  }

  /** The secret; throws when the value was not sealed by this key for this subscription. */
  open(value: string, subscriptionId: string): string {
    const [version, iv, tag, sealed] = value.split('.');
    if (version !== VERSION || !iv || !tag || sealed === undefined) {
      throw new Error('not a sealed webhook secret');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(subscriptionId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));

    return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString('utf8');
  }
}
