// Display helpers: money, times in the viewer's own time zone, initials for avatars.
export function formatPrice(cents: number, currency = "usd"): string {
  return new Intl.NumberFormat(undefined, { style: "currency", currency: currency.toUpperCase() }).format(cents / 100);
}

/** A UTC instant from the API in the viewer's own time zone, naming the zone so nobody has to guess. */
export function formatWhen(iso: string | null): string {
  if (!iso) return "";
  return new Intl.DateTimeFormat(undefined, {
    weekday: "short",
    month: "short",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZoneName: "short",
  }).format(new Date(iso));
}

/** A time of day in the viewer's own clock (e.g. "14:05" or "2:05 PM"), for deadlines within the hour. */
export function formatClock(iso: string): string {
  return new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] ?? "?") + (parts[1]?.[0] ?? "")).toUpperCase();
}

/** A stable hue per handle, so an avatar keeps its colour everywhere. */
export function avatarHue(handle: string): number {
  let hash = 0;
  for (const char of handle) hash = (hash * 31 + char.charCodeAt(0)) % 360;
  return hash;
}
