// Web Push (VAPID) signing keys, made the same way for local secrets (dev/stack.ts) and for a real deploy
// (npm run setup:cloudflare).
import { generateKeyPairSync } from "node:crypto";

/** A Web Push (VAPID) signing pair on P-256, base64url: the uncompressed public point and the private scalar. */
export function vapidKeyPair(): { VAPID_PUBLIC_KEY: string; VAPID_PRIVATE_KEY: string } {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const jwk = privateKey.export({ format: "jwk" });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, "base64url"), Buffer.from(jwk.y!, "base64url")]);
  return { VAPID_PUBLIC_KEY: point.toString("base64url"), VAPID_PRIVATE_KEY: jwk.d! };
}
