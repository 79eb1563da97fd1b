// The browser's side of Web Push, written from RFC 8291/8292 for tests: subscription keys, payload decryption and
// VAPID JWT checks. Independent of the sending library, so a test catches either side drifting from the RFCs.
import { Buffer } from "node:buffer";
import { importJWK, jwtVerify, type JWTPayload } from "jose";

type Bytes = Uint8Array<ArrayBuffer>;

export type SubscriptionKeys = { keyPair: CryptoKeyPair; publicKey: Bytes; auth: Bytes; p256dh: string; authText: string };

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
const text = (value: string) => new TextEncoder().encode(value);

function concat(...parts: Uint8Array[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

async function hmac(key: Bytes, data: Bytes): Promise<Bytes> {
  const cryptoKey = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, data));
}

/** What `pushManager.subscribe` makes in a browser: an ECDH P-256 pair and a 16-byte auth secret. */
export async function newSubscriptionKeys(): Promise<SubscriptionKeys> {
  const keyPair = (await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"])) as CryptoKeyPair;
  const publicKey = new Uint8Array((await crypto.subtle.exportKey("raw", keyPair.publicKey)) as ArrayBuffer);
  const auth = crypto.getRandomValues(new Uint8Array(16));
  return { keyPair, publicKey, auth, p256dh: b64url(publicKey), authText: b64url(auth) };
}

/** Decrypts an `aes128gcm` push body (RFC 8188 framing, RFC 8291 keys) with the subscription's private key. */
export async function decryptPush(body: Bytes, keys: SubscriptionKeys): Promise<{ text: string; recordSize: number }> {
  const salt = body.slice(0, 16);
  const recordSize = new DataView(body.buffer, body.byteOffset + 16, 4).getUint32(0);
  const keyIdLength = body[20]!;
  const senderPublic = body.slice(21, 21 + keyIdLength);
  const ciphertext = body.slice(21 + keyIdLength);
  const senderKey = await crypto.subtle.importKey("raw", senderPublic, { name: "ECDH", namedCurve: "P-256" }, false, []);
  const ecdhSecret = new Uint8Array(
    await crypto.subtle.deriveBits({ name: "ECDH", public: senderKey }, keys.keyPair.privateKey, 256),
  );
  const prkKey = await hmac(keys.auth, ecdhSecret);
  const keyInfo = concat(text("WebPush: info\0"), keys.publicKey, senderPublic, new Uint8Array([1]));
  const ikm = (await hmac(prkKey, keyInfo)).slice(0, 32);
  const prk = await hmac(salt, ikm);
  const cek = (await hmac(prk, concat(text("Content-Encoding: aes128gcm\0"), new Uint8Array([1])))).slice(0, 16);
  const nonce = (await hmac(prk, concat(text("Content-Encoding: nonce\0"), new Uint8Array([1])))).slice(0, 12);
  const aesKey = await crypto.subtle.importKey("raw", cek, "AES-GCM", false, ["decrypt"]);
  const padded = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: nonce }, aesKey, ciphertext));
  // The last record ends with a 0x02 delimiter followed only by zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end -= 1;
  if (padded[end] !== 0x02) throw new Error(`bad padding delimiter ${padded[end]}`);
  return { text: new TextDecoder().decode(padded.slice(0, end)), recordSize };
}

/**
 * Checks an RFC 8292 `Authorization: vapid t=<jwt>, k=<key>` header: `k` is the expected public key and the JWT is
 * ES256-signed by it for `audience`. Returns the JWT claims.
 */
export async function verifyVapid(authorization: string, publicKey: string, audience: string): Promise<JWTPayload> {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(authorization);
  if (!match) throw new Error(`not a vapid Authorization header: ${authorization.slice(0, 20)}…`);
  if (match[2] !== publicKey) throw new Error("k= is not the server's VAPID public key");
  const point = Buffer.from(publicKey, "base64url");
  const key = await importJWK(
    { kty: "EC", crv: "P-256", x: b64url(point.subarray(1, 33)), y: b64url(point.subarray(33, 65)) },
    "ES256",
  );
  const { payload, protectedHeader } = await jwtVerify(match[1]!, key, { audience, algorithms: ["ES256"] });
  if (protectedHeader.alg !== "ES256") throw new Error(`unexpected alg ${protectedHeader.alg}`);
  return payload;
}
