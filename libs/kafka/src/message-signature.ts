import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { MIN_SIGNING_KEY_LENGTH } from '@gallery/config';

/** Kafka header holding a message's signature: `hmac-sha256:<key id>:<base64 MAC of the value>`. */
export const SIGNATURE_HEADER = 'gallery-signature';

const SCHEME = 'hmac-sha256';

/** Bytes of an HMAC-SHA-256. */
const MAC_BYTES = 32;

/**
 * Derives a key's id, which names the key without revealing it: the first 12 hex digits of a
 * SHA-256 of the key. During a rotation, a consumer with several keys picks the right one by it.
 */
export function signingKeyId(key: string): string {
  return createHash('sha256').update('gallery-signing-key-id\u0000').update(key, 'utf8').digest('hex').slice(0, 12);
}

/** Outcome of checking a message's signature. */
export type SignatureCheck = 'valid' | 'unsigned' | 'invalid';

/**
 * Signs message values for the event topic, and checks those signatures. Ingest signs each message
 * it publishes after validating every event in it, so a consumer holding the same key can tell that
 * a message passed ingest's validation unchanged and need not validate it again. A message without
 * a valid signature, from any other producer or altered on the way, is validated in full.
 *
 * Ingest signs with the first key. Every key verifies, so a new key can be put first on the
 * consumers, then on ingest, and the old one removed once no message signed with it is left to read.
 * Without keys, nothing is signed, and a signed message checks as `invalid`.
 */
export class MessageSigner {
  private readonly keys: Map<string, Buffer>;
  private readonly signingKey: { id: string; secret: Buffer } | undefined;

  constructor(keys: readonly string[]) {
    for (const [index, key] of keys.entries()) {
      if (key.length < MIN_SIGNING_KEY_LENGTH) {
        throw new RangeError(`signing key ${index + 1} of ${keys.length} has ${key.length} characters; at least ${MIN_SIGNING_KEY_LENGTH} are needed`);
      }
    }
    this.keys = new Map(keys.map((key) => [signingKeyId(key), Buffer.from(key, 'utf8')]));
    this.signingKey = keys.length > 0 ? { id: signingKeyId(keys[0]), secret: Buffer.from(keys[0], 'utf8') } : undefined;
  }

  /** Tells whether messages are signed and signatures can be valid. */
  get enabled(): boolean {
    return this.signingKey !== undefined;
  }

  /** The id of the key that signs, for logs. */
  get signingKeyId(): string | undefined {
    return this.signingKey?.id;
  }

  /** Returns the header value that signs `value`, or undefined without keys. */
  sign(value: Buffer): string | undefined {
    if (!this.signingKey) return undefined;
    const mac = createHmac('sha256', this.signingKey.secret).update(value).digest('base64');
    return `${SCHEME}:${this.signingKey.id}:${mac}`;
  }

  /**
   * Checks a message's signature header against its value. A header that names an unknown key or
   * scheme, is malformed, or does not match the value is `invalid`. No header at all is `unsigned`.
   */
  check(value: Buffer | null, header: Buffer | string | undefined): SignatureCheck {
    if (header === undefined) return 'unsigned';
    if (value === null) return 'invalid';
    const text = typeof header === 'string' ? header : header.toString('latin1');
    const [scheme, keyId, mac, extra] = text.split(':');
    if (scheme !== SCHEME || keyId === undefined || mac === undefined || extra !== undefined) return 'invalid';
    const secret = this.keys.get(keyId);
    if (!secret) return 'invalid';
    const given = Buffer.from(mac, 'base64');
    if (given.length !== MAC_BYTES) return 'invalid';
    const expected = createHmac('sha256', secret).update(value).digest();
    return timingSafeEqual(given, expected) ? 'valid' : 'invalid';
  }
}
