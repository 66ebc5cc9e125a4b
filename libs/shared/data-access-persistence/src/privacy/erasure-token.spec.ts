import { erasureTokenOf, isErasureToken, openSealedNumber, sealNumber } from './erasure-token';

const SALT = 's'.repeat(32);
const OTHER_SALT = 'o'.repeat(32);

describe('erasure tokens', () => {
  it('are the same for a number under one salt, differ across numbers and salts, and fit 16 characters', () => {
    const token = erasureTokenOf(SALT, '+447400123456');
    expect(token).toMatch(/^e:[A-Za-z0-9_-]{14}$/);
    expect(erasureTokenOf(SALT, '+447400123456')).toBe(token);
    expect(erasureTokenOf(SALT, '+447400123457')).not.toBe(token);
    expect(erasureTokenOf(OTHER_SALT, '+447400123456')).not.toBe(token);
    expect(token).not.toContain('447400123456');
    expect(isErasureToken(token)).toBe(true);
    expect(isErasureToken('+447400123456')).toBe(false);
  });

  it('refuse a salt under 32 characters', () => {
    expect(() => erasureTokenOf('short', '+447400123456')).toThrow(/PRIVACY_SALT/);
    expect(() => sealNumber('short', '+447400123456')).toThrow(/PRIVACY_SALT/);
  });

  it('seal a number so that only the same salt opens it, never in clear, fresh each time', () => {
    const sealed = sealNumber(SALT, '+447400123456');
    expect(sealed).not.toContain('447400123456');
    expect(sealNumber(SALT, '+447400123456')).not.toBe(sealed);
    expect(openSealedNumber(SALT, sealed)).toBe('+447400123456');
    expect(() => openSealedNumber(OTHER_SALT, sealed)).toThrow();
    const tampered = Buffer.from(sealed, 'base64url');
    const last = tampered.length - 1;
    tampered.writeUInt8(tampered.readUInt8(last) ^ 1, last);
    expect(() => openSealedNumber(SALT, tampered.toString('base64url'))).toThrow();
    expect(() => openSealedNumber(SALT, 'abc')).toThrow(/too short/);
  });
});
