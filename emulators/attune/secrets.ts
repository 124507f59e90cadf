// Encrypted key values as upstream's crates/common/src/crypto.rs stores them: AES-256-GCM,
// key = SHA-256(encryption_key), value = base64(nonce(12) || ciphertext || tag) as a JSON string.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export class Crypto {
  private readonly key: Buffer;
  readonly keyHash: string;
  constructor(secret: string = randomBytes(32).toString('hex')) {
    this.key = createHash('sha256').update(secret).digest();
    this.keyHash = createHash('sha256').update(this.key).digest('hex');
  }

  encrypt(value: unknown): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    const ct = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return Buffer.concat([nonce, ct, cipher.getAuthTag()]).toString('base64');
  }

  decrypt(stored: unknown): unknown {
    const raw = Buffer.from(String(stored), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    const pt = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
    return JSON.parse(pt);
  }

  /** The plain value of a key row. */
  valueOf(row: Record<string, any>): unknown {
    return row.encrypted ? this.decrypt(row.value) : row.value;
  }
}
