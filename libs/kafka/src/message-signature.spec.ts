import { createHmac, randomBytes } from 'node:crypto';
import { MessageSigner, SIGNATURE_HEADER, signingKeyId } from './message-signature';

const keyA = randomBytes(32).toString('hex');
const keyB = randomBytes(32).toString('hex');
const value = Buffer.from('{"account_id":"acct_demo","received_at":"2026-06-14T18:22:06.000Z","events":[]}');

describe('MessageSigner', () => {
  it('verifies its own signature', () => {
    const signer = new MessageSigner([keyA]);
    const header = signer.sign(value) as string;
    expect(SIGNATURE_HEADER).toBe('gallery-signature');
    expect(header.split(':').slice(0, 2)).toEqual(['hmac-sha256', signingKeyId(keyA)]);
    expect(header).not.toContain(keyA);
    expect(signer.check(value, header)).toBe('valid');
    expect(signer.check(value, Buffer.from(header, 'latin1'))).toBe('valid');
  });

  it('rejects any altered byte', () => {
    const signer = new MessageSigner([keyA]);
    const header = signer.sign(value) as string;
    for (let index = 0; index < value.length; index += 7) {
      const altered = Buffer.from(value);
      altered[index] ^= 0x01;
      expect(signer.check(altered, header)).toBe('invalid');
    }
    expect(signer.check(Buffer.concat([value, Buffer.from(' ')]), header)).toBe('invalid');
    expect(signer.check(null, header)).toBe('invalid');
  });

  it('rejects foreign keys and malformed headers', () => {
    const signer = new MessageSigner([keyA]);
    const byB = new MessageSigner([keyB]).sign(value) as string;
    expect(signer.check(value, byB)).toBe('invalid');
    // The right MAC under another key id, and under another scheme name.
    const mac = createHmac('sha256', keyA).update(value).digest('base64');
    expect(signer.check(value, `hmac-sha256:${signingKeyId(keyB)}:${mac}`)).toBe('invalid');
    expect(signer.check(value, `hmac-sha1:${signingKeyId(keyA)}:${mac}`)).toBe('invalid');
    expect(signer.check(value, `hmac-sha256:${signingKeyId(keyA)}:${mac}`)).toBe('valid');
    for (const header of ['', 'hmac-sha256', `hmac-sha256:${signingKeyId(keyA)}`, `hmac-sha256:${signingKeyId(keyA)}:`, `hmac-sha256:${signingKeyId(keyA)}:${mac}:x`, `hmac-sha256:${signingKeyId(keyA)}:${mac.slice(4)}`]) {
      expect({ header, check: signer.check(value, header) }).toEqual({ header, check: 'invalid' });
    }
  });

  it('tells unsigned from invalid', () => {
    expect(new MessageSigner([keyA]).check(value, undefined)).toBe('unsigned');
  });

  it('accepts every key during rotation', () => {
    const old = new MessageSigner([keyA]);
    const rotating = new MessageSigner([keyB, keyA]);
    expect(rotating.signingKeyId).toBe(signingKeyId(keyB));
    expect(rotating.check(value, old.sign(value))).toBe('valid');
    expect(rotating.check(value, rotating.sign(value))).toBe('valid');
    expect(old.check(value, rotating.sign(value))).toBe('invalid');
  });

  it('signs nothing without keys', () => {
    const signer = new MessageSigner([]);
    expect(signer.enabled).toBe(false);
    expect(signer.sign(value)).toBeUndefined();
    expect(signer.check(value, new MessageSigner([keyA]).sign(value))).toBe('invalid');
  });

  it('rejects a short key unechoed', () => {
    expect(() => new MessageSigner([keyA, 'short-secret'])).toThrow('signing key 2 of 2 has 12 characters; at least 32 are needed');
  });
});
