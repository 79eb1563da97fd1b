// Profile pictures from the browser: a chosen image is centre-cropped and resized to 256×256 on a canvas (so a
// phone photo of several MB becomes a few KB), then uploaded as WebP (PNG where WebP encoding is missing).
import { ApiFailure } from "./api.ts";

export const AVATAR_SIZE = 256;

export async function resizeToSquare(file: Blob, size = AVATAR_SIZE): Promise<Blob> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new ApiFailure(0, "unreadable_image", "That file could not be read as a picture. Try a PNG, JPEG or WebP.");
  }
  const side = Math.min(bitmap.width, bitmap.height);
  const canvas = document.createElement("canvas");
  canvas.width = size;
  canvas.height = size;
  const context = canvas.getContext("2d")!;
  context.imageSmoothingQuality = "high";
  context.drawImage(bitmap, (bitmap.width - side) / 2, (bitmap.height - side) / 2, side, side, 0, 0, size, size);
  bitmap.close();
  const encode = (type: string) => new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, type, 0.86));
  const webp = await encode("image/webp");
  const blob = webp?.type === "image/webp" ? webp : await encode("image/png");
  if (!blob) throw new ApiFailure(0, "unreadable_image", "That picture could not be prepared. Try another one.");
  return blob;
}

/** Uploads a prepared picture; resolves with its URL. */
export async function uploadAvatar(image: Blob): Promise<string> {
  let response: Response;
  try {
    response = await fetch("/api/me/avatar", { method: "PUT", credentials: "same-origin", headers: { "Content-Type": image.type }, body: image });
  } catch {
    throw new ApiFailure(0, "network_error", "Could not reach Spaces. Check your connection and try again.");
  }
  const json = (await response.json().catch(() => null)) as { avatarUrl?: string; error?: { code: string; message: string } } | null;
  if (!response.ok || !json?.avatarUrl) {
    throw new ApiFailure(response.status, json?.error?.code ?? "http_error", json?.error?.message ?? "The picture could not be saved.");
  }
  return json.avatarUrl;
}
