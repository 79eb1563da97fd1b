// HTTP Range for stored audio: one `bytes=` range parsed against the object's size, as R2's range option and the
// 206 headers. Several ranges, or none that fit, are answered like browsers expect (whole body, or 416).
export type ParsedRange = { offset: number; length: number } | "whole" | "unsatisfiable";

export function parseRange(header: string | undefined, size: number): ParsedRange {
  if (!header) return "whole";
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return "whole";
  if (match[1] === "") {
    const suffix = Math.min(Number(match[2]), size);
    return suffix === 0 ? "unsatisfiable" : { offset: size - suffix, length: suffix };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { offset: start, length: end - start + 1 };
}

/** Serves an R2 object with Range support: 200 whole, 206 partial, 416 out of range. */
export async function serveObject(bucket: R2Bucket, key: string, rangeHeader: string | undefined, contentType: string): Promise<Response | null> {
  const head = await bucket.head(key);
  if (!head) return null;
  const range = parseRange(rangeHeader, head.size);
  const common = { "content-type": contentType, "accept-ranges": "bytes", "cache-control": "private, max-age=3600" };
  if (range === "unsatisfiable") return new Response(null, { status: 416, headers: { ...common, "content-range": `bytes */${head.size}` } });
  if (range === "whole") {
    const object = await bucket.get(key);
    if (!object) return null;
    return new Response(object.body, { status: 200, headers: { ...common, "content-length": String(head.size) } });
  }
  const object = await bucket.get(key, { range });
  if (!object) return null;
  return new Response(object.body, {
    status: 206,
    headers: { ...common, "content-length": String(range.length), "content-range": `bytes ${range.offset}-${range.offset + range.length - 1}/${head.size}` },
  });
}
