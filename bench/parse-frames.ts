// Frame parsing on the room's hot path: how many client frames a second `parseClientMessage` (zod) parses here,
// next to bare JSON.parse (the floor any parser pays), and what that costs at 1000 reactions/s. Run:
//   node_modules/.bin/node bench/parse-frames.ts [path/to/other-parser.ts]
// An optional second parser module (exporting parseClientMessage) is measured alongside, for comparisons.
import { parseClientMessage } from "../worker/protocol/room-parse.ts";

type Parser = (raw: unknown) => { ok: boolean };

/** Mostly reactions, as in a busy room, with the other frame kinds and some bad frames mixed in. */
const FRAMES = [
  ...Array.from({ length: 80 }, (_, i) => JSON.stringify({ type: "react", emoji: ["👏", "🔥", "❤️", "😂"][i % 4] })),
  JSON.stringify({ type: "raise_hand" }),
  JSON.stringify({ type: "lower_hand", userId: "u_123456" }),
  JSON.stringify({ type: "set_role", userId: "u_123456", role: "speaker" }),
  JSON.stringify({ type: "mute", userId: "u_123456" }),
  JSON.stringify({ type: "remove", userId: "u_123456", block: true }),
  JSON.stringify({ type: "pin", url: "https://example.com/some/page?x=1" }),
  JSON.stringify({ type: "set_speak_policy", policy: "followed" }),
  JSON.stringify({ type: "ping" }),
  JSON.stringify({ type: "react", emoji: "🍕" }),
  JSON.stringify({ type: "teleport" }),
  "{not json",
  ...Array.from({ length: 9 }, () => JSON.stringify({ type: "react", emoji: "✨" })),
];
const REACTION = JSON.stringify({ type: "react", emoji: "🔥" });

/** Frames per second over `ms` of wall time on one core, best of `rounds` (the machine is shared). */
function framesPerSecond(parse: Parser, frames: string[], ms = 700, rounds = 5): number {
  let best = 0;
  for (let round = 0; round < rounds; round++) {
    let parsed = 0;
    let accepted = 0;
    const start = process.hrtime.bigint();
    const until = start + BigInt(ms) * 1_000_000n;
    while (process.hrtime.bigint() < until) {
      for (const frame of frames) if (parse(frame).ok) accepted++;
      parsed += frames.length;
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (accepted === 0) throw new Error("the parser accepted nothing: the bench frames are wrong");
    best = Math.max(best, parsed / seconds);
  }
  return best;
}

const jsonOnly: Parser = (raw) => {
  try {
    JSON.parse(raw as string);
    return { ok: true };
  } catch {
    return { ok: false };
  }
};

const parsers: [string, Parser][] = [
  ["JSON.parse only (floor)", jsonOnly],
  ["parseClientMessage (zod)", parseClientMessage],
];
const other = process.argv[2];
if (other) {
  const module = (await import(new URL(other, `file://${process.cwd()}/`).href)) as { parseClientMessage: Parser };
  parsers.push([`parseClientMessage (${other})`, module.parseClientMessage]);
}

// Warm up every parser first so the JIT treats them alike.
for (const [, parse] of parsers) framesPerSecond(parse, FRAMES, 300, 1);

console.log("parser | mixed frames/s | reactions/s | CPU at 1000 reactions/s");
for (const [name, parse] of parsers) {
  const mixed = framesPerSecond(parse, FRAMES);
  const reactions = framesPerSecond(parse, [REACTION]);
  // 1000 reactions a second take 1000 / rate seconds of CPU each second: that share of one core.
  const share = (1000 / reactions) * 100;
  console.log(`${name} | ${Math.round(mixed).toLocaleString("en")} | ${Math.round(reactions).toLocaleString("en")} | ${share.toFixed(3)} % of a core`);
}
