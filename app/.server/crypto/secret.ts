import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { config } from "../config.ts";

const SECRET = Symbol.for("liaison.secret");
type GlobalWithSecret = typeof globalThis & { [SECRET]?: Buffer };

/**
 * The key that seals secrets at rest (TOTP keys). With a Postgres server every instance must share it, so it
 * comes from LIAISON_SECRET; the embedded database keeps a generated one beside its data.
 */
export async function loadSecret(): Promise<Buffer> {
  const cfg = config();
  let encoded = cfg.secret;
  if (!encoded) {
    if (cfg.database.kind === "postgres") {
      throw new Error("LIAISON_SECRET is required with DATABASE_URL: 32 random bytes, base64 (openssl rand -base64 32).");
    }
    if (cfg.database.dataDir === "memory://") {
      encoded = crypto.randomBytes(32).toString("base64");
    } else {
      const file = path.join(cfg.database.dataDir, "secret.key");
      encoded = await fs.readFile(file, "utf8").catch(async () => {
        const fresh = crypto.randomBytes(32).toString("base64");
        await fs.writeFile(file, fresh, { mode: 0o600, flag: "wx" });
        return fresh;
      });
    }
  }
  const key = Buffer.from(encoded.trim(), "base64");
  if (key.length !== 32) throw new Error("LIAISON_SECRET must be 32 bytes, base64-encoded.");
  (globalThis as GlobalWithSecret)[SECRET] = key;
  return key;
}

function secretKey(): Buffer {
  const key = (globalThis as GlobalWithSecret)[SECRET];
  if (key) return key;
  const configured = config().secret;
  if (!configured) throw new Error("The secret key has not been loaded.");
  return Buffer.from(configured, "base64");
}

/** AES-256-GCM; the output is iv | tag | ciphertext, base64. */
export function seal(plaintext: Uint8Array): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", secretKey(), iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64");
}

export function unseal(sealed: string): Uint8Array {
  const raw = Buffer.from(sealed, "base64");
  const decipher = crypto.createDecipheriv("aes-256-gcm", secretKey(), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return new Uint8Array(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]));
}

/** A key for one purpose (signing badges, say), derived from the site's secret so that no two uses share a key. */
export function derivedKey(purpose: string): Buffer {
  return Buffer.from(crypto.hkdfSync("sha256", secretKey(), Buffer.alloc(0), `liaison:${purpose}`, 32));
}
