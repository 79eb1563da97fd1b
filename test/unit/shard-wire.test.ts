// Where shards are placed and what the Worker may hand the room: location hints from a request's `cf`, the setting
// that pins them, and headers that must parse or be refused (never trusted half-formed).
import { describe, expect, it } from "vitest";
import { encodeHeader, locationHintFor, parsePlacement, parseShardAddress } from "../../worker/space/shard-wire.ts";

describe("shard location hints", () => {
  it("follows the joining request's continent, splitting the Americas and Europe by longitude", () => {
    expect(locationHintFor("", { continent: "NA", longitude: "-122.4" })).toBe("wnam");
    expect(locationHintFor("", { continent: "NA", longitude: "-74.0" })).toBe("enam");
    expect(locationHintFor("", { continent: "EU", longitude: "2.35" })).toBe("weur");
    expect(locationHintFor("", { continent: "EU", longitude: "37.6" })).toBe("eeur");
    expect(locationHintFor("", { continent: "AS", country: "JP" })).toBe("apac");
    expect(locationHintFor("", { continent: "AS", country: "AE" })).toBe("me");
    expect(locationHintFor("", { continent: "SA" })).toBe("sam");
    expect(locationHintFor("", { continent: "OC" })).toBe("oc");
    expect(locationHintFor("", { continent: "AF" })).toBe("afr");
  });

  it("takes a valid setting over the request, and gives no hint when nothing says where the listener is", () => {
    expect(locationHintFor("weur", { continent: "NA" })).toBe("weur");
    expect(locationHintFor("mars", { continent: "OC" })).toBe("oc");
    expect(locationHintFor("", undefined)).toBeNull();
    expect(locationHintFor("", { continent: "AN" })).toBeNull();
  });
});

describe("shard headers", () => {
  it("round-trips a placement and an address, names in any script included", () => {
    const placement = { threshold: 500, capacity: 5000, leaseMs: 15_000, region: "weur", locationHint: "weur" };
    expect(parsePlacement(encodeHeader(placement))).toEqual(placement);
    const address = { spaceId: "s-ü-1", shard: "weur-0", leaseMs: 15_000 };
    expect(parseShardAddress(encodeHeader(address))).toEqual(address);
  });

  it("refuses missing, malformed and half-formed headers", () => {
    expect(parsePlacement(null)).toBeNull();
    expect(parsePlacement("%E0%A4%A")).toBeNull();
    expect(parsePlacement(encodeHeader({ capacity: 5000 }))).toBeNull();
    expect(parsePlacement(encodeHeader("weur"))).toBeNull();
    expect(parseShardAddress(encodeHeader({ spaceId: "s", shard: 7, leaseMs: 1 }))).toBeNull();
  });
});
