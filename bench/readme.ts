// Writes the README's performance tables from one bench results file: the bench table between
// <!-- bench:start --> and <!-- bench:end -->, the fan-out simulation between <!-- sim:start --> and <!-- sim:end -->,
// the shard run between <!-- shards:start --> and <!-- shards:end -->.
// `npm run bench` calls it after a recorded run; `npm run bench:readme [results.json]` re-renders from a file.
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { RESULTS_FILE } from "./plan.ts";
import { checkGoals, renderTable, summarize } from "./report.ts";
import type { BenchResults } from "./results.ts";
import { renderShardThreshold } from "./shard-threshold.ts";
import { renderSimulation } from "./sim-report.ts";

const README = join(import.meta.dirname, "..", "README.md");

function between(text: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`README.md has no ${start} … ${end} markers`);
  return `${text.slice(0, a + start.length)}\n${body}\n${text.slice(b)}`;
}

export function renderBench(results: BenchResults): string {
  const rows = summarize(results.targets);
  const goals = checkGoals(results.targets, rows);
  const audio = results.audio && "openToFirstAudioMs" in results.audio ? results.audio : null;
  const lines = [
    renderTable(results.targets, rows),
    "",
    `Median of ${results.targets[0]?.reps.length ?? 0} runs (min–max in brackets); † = the load generator, not the server, ` +
      "was the bottleneck in at least one run; ‡ = other processes saturated the machine in at least one run (the figure " +
      "says little about the target). \"vs\" columns: how many times better Spaces is (>1 better, <1 worse).",
    "",
    ...goals.map((g) => `- ${g.met ? "met" : "**not met**"}: ${g.goal} (measured ${g.measured === null ? "–" : g.measured.toFixed(1)})`),
  ];
  if (audio) {
    lines.push(
      `- listener join → first audio (Chromium, local SFU, ${audio.runs} joins): page open → tone ${audio.openToFirstAudioMs.p50} ms ` +
        `(${audio.openToFirstAudioMs.min}–${audio.openToFirstAudioMs.max}), join → tone ${audio.joinToFirstAudioMs.p50} ms; ` +
        `Calls API calls before first audio: ${audio.callsPerListenerJoin}`,
    );
    const far = audio.openToFirstAudioAt100MsMs;
    if (far) lines.push(`- the same with 100 ms added to every request (CDP latency): page open → tone ${far.p50} ms (${far.min}–${far.max})`);
  }
  for (const failed of results.targets.filter((t) => t.failure)) lines.push(`- ${failed.name} stopped early: ${failed.failure}`);
  lines.push(
    "",
    `Recorded ${results.measuredAt} on commit \`${results.commit.slice(0, 12)}\`${results.dirty ? " (with uncommitted changes)" : ""}, ` +
      `${results.machine.cpuCores} cores (${results.machine.cpuModel}), Node ${results.machine.node}; the run took ` +
      `${Math.round(results.durationSeconds)} s. Source: \`bench/results/latest.json\`.`,
  );
  return lines.join("\n");
}

const MODE_LABEL: Record<string, string> = {
  "do-hibernation": "Durable Object, hibernatable (`ctx.acceptWebSocket`)",
  "do-standard": "Durable Object, standard (`ws.accept()`)",
  worker: "plain Worker, no object (`ws.accept()`)",
  "http-keepalive": "for scale: an idle keep-alive HTTP connection, no WebSocket",
};

export function renderSocketMemory(results: BenchResults): string {
  if (!results.socketMemory?.length) return "_The results file has no socket-memory figures._";
  const kib = (v: number) => (v / 1024).toFixed(1);
  return [
    `| how the socket is held (${results.socketMemory[0]!.sockets} sockets, bare Miniflare) | RSS per socket | still held after they closed |`,
    "|---|---:|---:|",
    ...results.socketMemory.map(
      (m) =>
        `| ${MODE_LABEL[m.mode] ?? m.mode} | ${kib(m.bytesPerSocket.median)} KiB (${kib(m.bytesPerSocket.min)}–${kib(m.bytesPerSocket.max)}) | ` +
        `${kib(m.retainedAfterClosePerSocket.median)} KiB |`,
    ),
    "",
    `Median of ${results.socketMemory[0]!.bytesPerSocket.runs.length} fresh workerd processes each; same results file as the table above.`,
  ].join("\n");
}

export function writeReadme(results: BenchResults, readme = README): void {
  let text = readFileSync(readme, "utf8");
  text = between(text, "bench", renderBench(results));
  text = between(text, "memory", renderSocketMemory(results));
  text = between(text, "sim", renderSimulation(results));
  text = between(text, "shards", renderShardThreshold(results.shards));
  writeFileSync(readme, text);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2] ? resolve(process.argv[2]) : RESULTS_FILE;
  const results = JSON.parse(readFileSync(file, "utf8")) as BenchResults;
  if (results.version !== 2) throw new Error(`${file} was written by an older bench; run \`npm run bench\``);
  writeReadme(results);
  console.log(`README.md: bench and simulation tables from ${file}`);
}
