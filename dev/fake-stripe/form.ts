// Decodes Stripe's form-encoded request bodies (`line_items[0][price_data][currency]=usd`) into nested
// objects and arrays, the way Stripe's API reads what the stripe npm client sends.
export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormObject = { [key: string]: FormValue };

/** Splits `a[b][0][]` into ["a", "b", "0", ""]. */
function keyPath(key: string): string[] {
  const first = key.indexOf("[");
  if (first === -1) return [key];
  const parts = [key.slice(0, first)];
  for (const match of key.slice(first).matchAll(/\[([^\]]*)\]/g)) parts.push(match[1] ?? "");
  return parts;
}

function setPath(target: FormObject | FormValue[], path: string[], value: string): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  const container = target as Record<string, FormValue>;
  const slot = Array.isArray(target) && head === "" ? String(target.length) : head;
  if (rest.length === 0) {
    container[slot] = value;
    return;
  }
  const nextIsIndex = rest[0] === "" || /^\d+$/.test(rest[0]!);
  let child = container[slot];
  if (child === undefined || typeof child === "string") {
    child = nextIsIndex ? [] : {};
    container[slot] = child;
  }
  setPath(child as FormObject | FormValue[], rest, value);
}

export function parseStripeForm(body: string): FormObject {
  const result: FormObject = {};
  for (const [key, value] of new URLSearchParams(body)) setPath(result, keyPath(key), value);
  return result;
}

/** Reads a nested field as a string, or undefined. */
export function field(source: FormValue | undefined, ...path: string[]): string | undefined {
  let node: FormValue | undefined = source;
  for (const part of path) {
    if (node === undefined || typeof node === "string") return undefined;
    node = (node as Record<string, FormValue>)[part];
  }
  return typeof node === "string" ? node : undefined;
}

/** Reads a nested object (e.g. metadata) as a flat string map. */
export function stringMap(source: FormValue | undefined): Record<string, string> {
  if (source === undefined || typeof source === "string" || Array.isArray(source)) return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) if (typeof value === "string") out[key] = value;
  return out;
}

export function list(source: FormValue | undefined): FormValue[] {
  if (Array.isArray(source)) return source;
  // Indexed keys arrive as an object when the first index seen was not 0; order by index.
  if (source && typeof source === "object") {
    return Object.entries(source)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, value]) => value);
  }
  return [];
}
