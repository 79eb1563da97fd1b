// Turns the bench figures into the one printed table (absolute values and Spaces-vs-peer ratios) and the targets check.
import type { TargetFigures } from "./scenario.ts";

type Row = { metric: string; values: (number | null)[]; unit: string; lowerIsBetter: boolean; digits: number };

const KIB = 1024;

function rows(spaces: TargetFigures, peers: TargetFigures[]): Row[] {
  const all = [spaces, ...peers];
  const out: Row[] = [];
  for (const join of spaces.joins) {
    const at = (t: TargetFigures) => t.joins.find((j) => j.listeners === join.listeners) ?? null;
    const label = `${join.listeners / 1000 >= 1 ? `${join.listeners / 1000}k` : join.listeners} listeners`;
    out.push({ metric: `join p50, ${label}`, values: all.map((t) => at(t)?.p50 ?? null), unit: "ms", lowerIsBetter: true, digits: 1 });
    out.push({ metric: `join p99, ${label}`, values: all.map((t) => at(t)?.p99 ?? null), unit: "ms", lowerIsBetter: true, digits: 1 });
  }
  for (const fan of spaces.fanout) {
    const at = (t: TargetFigures) => t.fanout.find((f) => f.rate === fan.rate) ?? null;
    const tag = `@${fan.rate}/s`;
    out.push({ metric: `frames/listener/s ${tag}`, values: all.map((t) => at(t)?.framesPerListenerPerSecond ?? null), unit: "", lowerIsBetter: true, digits: 1 });
    out.push({ metric: `frames/delivered reaction ${tag}`, values: all.map((t) => at(t)?.framesPerDeliveredReaction ?? null), unit: "", lowerIsBetter: true, digits: 3 });
    out.push({ metric: `delivered/CPU-s ${tag}`, values: all.map((t) => at(t)?.deliveredPerCpuSecond ?? null), unit: "", lowerIsBetter: false, digits: 0 });
    out.push({ metric: `server CPU µs/frame ${tag}`, values: all.map((t) => at(t)?.serverCpuMicrosPerFrame ?? null), unit: "µs", lowerIsBetter: true, digits: 0 });
    out.push({ metric: `delay p50 ${tag}`, values: all.map((t) => at(t)?.delayP50 ?? null), unit: "ms", lowerIsBetter: true, digits: 0 });
    out.push({ metric: `delay p99 ${tag}`, values: all.map((t) => at(t)?.delayP99 ?? null), unit: "ms", lowerIsBetter: true, digits: 0 });
    out.push({ metric: `delivered share ${tag}`, values: all.map((t) => (at(t) ? at(t)!.deliveredShare * 100 : null)), unit: "%", lowerIsBetter: false, digits: 1 });
    out.push({ metric: `server CPU-s ${tag}`, values: all.map((t) => at(t)?.serverCpuSeconds ?? null), unit: "s", lowerIsBetter: true, digits: 2 });
    out.push({ metric: `load-gen CPU-s ${tag}`, values: all.map((t) => at(t)?.loadGeneratorCpuSeconds ?? null), unit: "s", lowerIsBetter: true, digits: 2 });
  }
  for (const memory of spaces.memory) {
    const at = (t: TargetFigures) => t.memory.find((m) => m.listeners === memory.listeners) ?? null;
    out.push({
      metric: `RSS per listener, ${memory.listeners / 1000}k`,
      values: all.map((t) => (at(t) ? at(t)!.bytesPerListener / KIB : null)),
      unit: "KiB",
      lowerIsBetter: true,
      digits: 1,
    });
  }
  return out;
}

/** How many times better Spaces is than the peer on this row (>1 = Spaces better); null when not comparable. */
function advantage(row: Row, peerIndex: number): number | null {
  const spaces = row.values[0];
  const peer = row.values[peerIndex];
  if (spaces == null || peer == null || !Number.isFinite(spaces) || !Number.isFinite(peer) || spaces <= 0 || peer <= 0) return null;
  return row.lowerIsBetter ? peer / spaces : spaces / peer;
}

const cell = (value: number | null, digits: number, unit: string) =>
  value == null || !Number.isFinite(value) ? "–" : `${value.toFixed(digits)}${unit && unit !== "%" ? ` ${unit}` : unit}`;
const ratio = (value: number | null) => (value == null ? "–" : `${value >= 10 ? value.toFixed(0) : value.toFixed(2)}×`);

export function renderTable(spaces: TargetFigures, peers: TargetFigures[]): string {
  const header = ["metric", "Spaces", ...peers.map((p) => p.name), ...peers.map((p) => `vs ${p.name}`)];
  const body = rows(spaces, peers).map((row) => [
    row.metric,
    ...row.values.map((v) => cell(v, row.digits, row.unit)),
    ...peers.map((_, i) => ratio(advantage(row, i + 1))),
  ]);
  const widths = header.map((_, col) => Math.max(...[header, ...body].map((line) => line[col]!.length)));
  const line = (cols: string[]) => cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n") +
    `\n("vs X" = how many times better Spaces is than X on that row; >1 is better, <1 is worse)`;
}

export type TargetCheck = { goal: string; measured: number | null; met: boolean };

export function checkTargets(spaces: TargetFigures, naive: TargetFigures | undefined): TargetCheck[] {
  const join5k = spaces.joins.find((j) => j.listeners === 5000)?.p99 ?? null;
  const at100 = (t: TargetFigures | undefined) => t?.fanout.find((f) => f.rate === 100);
  const spaces100 = at100(spaces);
  const naive100 = at100(naive);
  // Per delivered reaction: the naive room cannot deliver 100 frames/listener/s here, so its raw frame rate flatters Spaces less.
  const frameRatio = spaces100 && naive100 ? naive100.framesPerDeliveredReaction / spaces100.framesPerDeliveredReaction : null;
  const cpuRatio = spaces100 && naive100 ? spaces100.deliveredPerCpuSecond / naive100.deliveredPerCpuSecond : null;
  return [
    { goal: "join p99 ≤ 50 ms with 5k listeners", measured: join5k, met: join5k !== null && join5k <= 50 },
    { goal: "≥ 25× fewer frames per delivered reaction than naive at 100/s", measured: frameRatio, met: frameRatio !== null && frameRatio >= 25 },
    { goal: "≥ 10× less CPU per delivered reaction than naive at 100/s", measured: cpuRatio, met: cpuRatio !== null && cpuRatio >= 10 },
  ];
}
