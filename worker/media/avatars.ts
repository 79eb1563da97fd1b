// Profile pictures in R2 (MEDIA, keys under avatars/): checks an upload is a small PNG, JPEG or WebP by its bytes,
// stores it under a fresh key (so its URL can be cached forever) and deletes the picture it replaces.
import { DomainError } from "../protocol/errors.ts";

/** Pictures are resized in the browser to 256×256 first; this leaves room for a generous JPEG. */
export const AVATAR_MAX_BYTES = 512 * 1024;
export const AVATAR_PREFIX = "avatars/";

const SIGNATURES: { type: string; ext: string; matches: (b: Uint8Array) => boolean }[] = [
  { type: "image/png", ext: "png", matches: (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 },
  { type: "image/jpeg", ext: "jpg", matches: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  {
    type: "image/webp",
    ext: "webp",
    matches: (b) => String.fromCharCode(...b.slice(0, 4)) === "RIFF" && String.fromCharCode(...b.slice(8, 12)) === "WEBP",
  },
];

export function imageTypeOf(bytes: Uint8Array): { type: string; ext: string } | null {
  const found = SIGNATURES.find((signature) => signature.matches(bytes));
  return found ? { type: found.type, ext: found.ext } : null;
}

/** Stores a picture for `userId` and returns its key; refuses anything that is not a small image. */
export async function storeAvatar(bucket: R2Bucket, userId: string, bytes: Uint8Array): Promise<string> {
  if (bytes.byteLength === 0) throw new DomainError("invalid", "empty_image", "Choose a picture to upload.");
  if (bytes.byteLength > AVATAR_MAX_BYTES) {
    throw new DomainError("invalid", "image_too_large", "That picture is too large; pictures can be up to 512 KB.");
  }
  const kind = imageTypeOf(bytes);
  if (!kind) throw new DomainError("invalid", "unsupported_image", "Upload a PNG, JPEG or WebP picture.");
  const key = `${AVATAR_PREFIX}${userId}/${crypto.randomUUID()}.${kind.ext}`;
  await bucket.put(key, bytes, { httpMetadata: { contentType: kind.type, cacheControl: "public, max-age=31536000, immutable" } });
  return key;
}

/** Removes a replaced picture; a failure only leaves an unused object behind, so it is logged, not thrown. */
export async function deleteAvatar(bucket: R2Bucket, key: string | null): Promise<void> {
  if (!key?.startsWith(AVATAR_PREFIX)) return;
  try {
    await bucket.delete(key);
  } catch (error) {
    console.log(JSON.stringify({ event: "avatar_delete_failed", key, error: String(error) }));
  }
}
