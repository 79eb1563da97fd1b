// A client address as a stable, keyed hash: rows that must be limited per address (ticket holds) keep this instead of
// the address itself, so the database holds no IP addresses and an IPv4 hash cannot be reversed by trying them all.

const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", new TextEncoder().encode(`address-key:${secret}`), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    keys.set(secret, key);
  }
  return key;
}

/** HMAC-SHA-256 of the address under the app's secret, first 128 bits in hex. */
export async function addressKey(secret: string, address: string): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), new TextEncoder().encode(address)));
  return [...mac.subarray(0, 16)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
