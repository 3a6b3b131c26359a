import crypto from "node:crypto";
import QRCode from "qrcode";
import { derivedKey } from "../crypto/secret.ts";

/**
 * A badge's code: the registration's id and an HMAC of it under a key derived from the site's secret. Nobody can
 * make a valid code without the secret, and the id (random) does not reveal anyone else's. Compact (49 characters)
 * so the QR code stays small enough to scan from a printed page at arm's length.
 */

const PREFIX = "B1";
const MAC_BYTES = 16;

function mac(id: Buffer): Buffer {
  return crypto.createHmac("sha256", derivedKey("badge")).update(id).digest().subarray(0, MAC_BYTES);
}

const uuidBytes = (id: string) => Buffer.from(id.replace(/-/g, ""), "hex");

export function badgeToken(registrationId: string): string {
  const id = uuidBytes(registrationId);
  return `${PREFIX}.${id.toString("base64url")}.${mac(id).toString("base64url")}`;
}

/** The registration a code names, or null when it is not a code this site signed. */
export function verifyBadgeToken(token: string): string | null {
  const parts = token.trim().split(".");
  if (parts.length !== 3 || parts[0] !== PREFIX) return null;
  const id = Buffer.from(parts[1]!, "base64url");
  const given = Buffer.from(parts[2]!, "base64url");
  if (id.length !== 16 || given.length !== MAC_BYTES || !crypto.timingSafeEqual(given, mac(id))) return null;
  const hex = id.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The code as an SVG QR code (generated from our own token, so safe to inline). */
export function badgeQrSvg(token: string): Promise<string> {
  return QRCode.toString(token, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
}
