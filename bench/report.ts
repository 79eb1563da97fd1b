// Turns the repeated bench figures into rows (median with min–max per target), the Markdown table both the console and
// the README show, and the goals check. Everything here reads only TargetFigures, i.e. one results file.
import type { FanoutFigures, TargetFigures } from "./scenario.ts";
import { spreadOf, type Spread } from "./stats.ts";

export type Row = {
  metric: string;
  unit: string;
  digits: number;
  lowerIsBetter: boolean;
  /** One spread per target, in the order given (null when the target has no such figure). */
  cells: (Spread | null)[];
  /** Per target: the load generator, not the server, limited at least one repetition behind this row. */
  loadBound: boolean[];
  /** Per target: other processes saturated the machine in at least one repetition behind this row. */
  contended: boolean[];
};

type Pick = (t: TargetFigures) => { values: number[]; loadBound: boolean; contended?: boolean };

const KIB = 1024;
const label = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));

function fanoutPick(rate: number, value: (f: FanoutFigures) => number): Pick {
  return (t) => {
    const runs = t.reps.flatMap((rep) => rep.fanout.filter((f) => f.rate === rate));
    return { values: runs.map(value), loadBound: runs.some((f) => f.loadBound), contended: runs.some((f) => f.contended) };
  };
}

function rowDefinitions(spaces: TargetFigures): { metric: string; unit: string; digits: number; lowerIsBetter: boolean; pick: Pick }[] {
  const first = spaces.reps[0];
  const joinCounts = first?.joins.map((j) => j.listeners) ?? [];
  const rates = first?.fanout.map((f) => f.rate) ?? [];
  const joins = (listeners: number, value: (j: TargetFigures["reps"][number]["joins"][number]) => number): Pick => (t) => ({
    values: t.reps.flatMap((rep) => rep.joins.filter((j) => j.listeners === listeners).map(value)),
    loadBound: false,
  });
  const defs = [];
  for (const n of joinCounts) {
    defs.push({ metric: `join p50, ${label(n)} listeners`, unit: "ms", digits: 1, lowerIsBetter: true, pick: joins(n, (j) => j.p50) });
    defs.push({ metric: `join p99, ${label(n)} listeners`, unit: "ms", digits: 1, lowerIsBetter: true, pick: joins(n, (j) => j.p99) });
  }
  if (joinCounts.length) {
    defs.push({ metric: "… of which POST /join p50, 0 listeners", unit: "ms", digits: 1, lowerIsBetter: true, pick: joins(joinCounts[0]!, (j) => j.postP50) });
  }
  for (const rate of rates) {
    const busy = rate >= 100;
    defs.push({ metric: `frames/listener/s @${rate}/s`, unit: "", digits: 2, lowerIsBetter: true, pick: fanoutPick(rate, (f) => f.framesPerListenerPerSecond) });
    defs.push({ metric: `most frames to a listener in any 1 s @${rate}/s`, unit: "", digits: 0, lowerIsBetter: true, pick: fanoutPick(rate, (f) => f.peakFramesPerSecond ?? Number.NaN) });
    defs.push({ metric: `reaction delay p50 @${rate}/s`, unit: "ms", digits: 0, lowerIsBetter: true, pick: fanoutPick(rate, (f) => f.delayP50) });
    defs.push({ metric: `reaction delay p99 @${rate}/s`, unit: "ms", digits: 0, lowerIsBetter: true, pick: fanoutPick(rate, (f) => f.delayP99) });
    defs.push({ metric: `delivered @${rate}/s`, unit: "%", digits: 1, lowerIsBetter: false, pick: fanoutPick(rate, (f) => f.deliveredShare * 100) });
    if (!busy) continue;
    defs.push({ metric: `frames per delivered reaction @${rate}/s`, unit: "", digits: 3, lowerIsBetter: true, pick: fanoutPick(rate, (f) => f.framesPerDeliveredReaction) });
    defs.push({
      metric: `… in a burst's steady state @${rate}/s`,
      unit: "",
      digits: 3,
      lowerIsBetter: true,
      pick: fanoutPick(rate, (f) => f.steadyFramesPerDeliveredReaction ?? Number.NaN),
    });
    defs.push({ metric: `delivered per server CPU-s @${rate}/s`, unit: "", digits: 0, lowerIsBetter: false, pick: fanoutPick(rate, (f) => f.deliveredPerCpuSecond) });
    defs.push({ metric: `server CPU µs per frame @${rate}/s`, unit: "µs", digits: 1, lowerIsBetter: true, pick: fanoutPick(rate, (f) => f.serverCpuMicrosPerFrame) });
    defs.push({ metric: `server, share of a core @${rate}/s`, unit: "%", digits: 0, lowerIsBetter: true, pick: fanoutPick(rate, (f) => f.serverCoreShare * 100) });
    defs.push({ metric: `load generator, busiest process @${rate}/s`, unit: "%", digits: 0, lowerIsBetter: true, pick: fanoutPick(rate, (f) => f.loadGeneratorPeakCoreShare * 100) });
  }
  for (const memory of (first?.memory ?? []).filter((m) => m.added < m.listeners)) {
    defs.push({
      metric: `isolate JS heap per listener, ${label(memory.listeners - memory.added)} → ${label(memory.listeners)}`,
      unit: "KiB",
      digits: 2,
      lowerIsBetter: true,
      pick: (t: TargetFigures) => ({
        values: t.reps.flatMap((rep) =>
          rep.memory.filter((m) => m.listeners === memory.listeners && m.heapBytesPerListener !== null).map((m) => m.heapBytesPerListener! / KIB),
        ),
        loadBound: false,
      }),
    });
  }
  for (const memory of first?.memory ?? []) {
    const what = memory.added === memory.listeners ? `first ${label(memory.listeners)}` : `${label(memory.listeners - memory.added)} → ${label(memory.listeners)}`;
    defs.push({
      // RSS is a high-water mark: once run 1's sockets closed, the process reuses their memory, so only run 1 (a
      // fresh process) says what a socket costs. The socket-memory study gives the median over fresh processes.
      metric: `RSS per listener, ${what} (run 1, fresh process)`,
      unit: "KiB",
      digits: 1,
      lowerIsBetter: true,
      pick: (t: TargetFigures) => ({
        values: t.reps.slice(0, 1).flatMap((rep) => rep.memory.filter((m) => m.listeners === memory.listeners).map((m) => m.bytesPerListener / KIB)),
        loadBound: false,
      }),
    });
  }
  return defs;
}

export function summarize(targets: TargetFigures[]): Row[] {
  const spaces = targets[0];
  if (!spaces) return [];
  return rowDefinitions(spaces).map((def) => {
    const picked = targets.map(def.pick);
    return {
      metric: def.metric,
      unit: def.unit,
      digits: def.digits,
      lowerIsBetter: def.lowerIsBetter,
      cells: picked.map((p) => (p.values.some(Number.isFinite) ? spreadOf(p.values) : null)),
      loadBound: picked.map((p) => p.loadBound),
      contended: picked.map((p) => p.contended ?? false),
    };
  });
}

const format = (value: number, digits: number) =>
  Math.abs(value) >= 10_000 ? Math.round(value).toLocaleString("en-US") : value.toFixed(digits);

function cell(spread: Spread | null, row: Row, loadBound: boolean, contended: boolean): string {
  if (!spread) return "–";
  const unit = row.unit === "%" ? "%" : row.unit ? ` ${row.unit}` : "";
  const range = spread.runs.length > 1 ? ` (${format(spread.min, row.digits)}–${format(spread.max, row.digits)})` : "";
  return `${format(spread.median, row.digits)}${unit}${range}${loadBound ? " †" : ""}${contended ? " ‡" : ""}`;
}

/** How many times better the first target is than target `i` on medians (>1 = better); null when not comparable. */
function advantage(row: Row, i: number): number | null {
  const a = row.cells[0]?.median;
  const b = row.cells[i]?.median;
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || a <= 0 || b <= 0) return null;
  return row.lowerIsBetter ? b / a : a / b;
}

const ratio = (value: number | null) => (value == null ? "–" : `${value >= 10 ? value.toFixed(0) : value.toFixed(2)}×`);

/** A Markdown table: one column per target (median, then min–max over the repetitions) and Spaces-vs-peer ratios. */
export function renderTable(targets: TargetFigures[], rows: Row[]): string {
  const peers = targets.slice(1);
  const header = ["metric", ...targets.map((t) => t.label), ...peers.map((p) => `vs ${p.name}`)];
  const lines = [
    `| ${header.join(" | ")} |`,
    `|${header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...rows.map((row) => {
      const cells = [row.metric, ...row.cells.map((c, i) => cell(c, row, row.loadBound[i] ?? false, row.contended[i] ?? false)), ...peers.map((_, i) => ratio(advantage(row, i + 1)))];
      return `| ${cells.join(" | ")} |`;
    }),
  ];
  return lines.join("\n");
}

export type GoalCheck = { goal: string; measured: number | null; met: boolean };

export function checkGoals(targets: TargetFigures[], rows: Row[]): GoalCheck[] {
  const find = (metric: string) => rows.find((r) => r.metric === metric);
  const naiveIndex = targets.findIndex((t) => t.name === "naive");
  const med = (metric: string, i: number) => (i >= 0 ? (find(metric)?.cells[i]?.median ?? null) : null);
  const join5k = rows.filter((r) => r.metric.startsWith("join p99,")).at(-1)?.cells[0]?.median ?? null;
  // Against the cap's own bound (4 frames a second for 100 reactions: 25×), so in a burst's steady state: the frame a
  // quiet room sends at once opens every burst and the remainder closes it, each adding about 1/(4 × send seconds).
  const frames = (i: number) => med("… in a burst's steady state @100/s", i);
  const perCpu = (i: number) => med("delivered per server CPU-s @100/s", i);
  const frameRatio = frames(0) && frames(naiveIndex) ? frames(naiveIndex)! / frames(0)! : null;
  const cpuRatio = perCpu(0) && perCpu(naiveIndex) ? perCpu(0)! / perCpu(naiveIndex)! : null;
  // The cap is per listener and per second: the most frames any probe got in any 1 s, in the worst repetition.
  const peakRows = rows.filter((r) => r.metric.startsWith("most frames to a listener in any 1 s"));
  const maxFrameRate = peakRows.some((r) => r.cells[0]) ? Math.max(...peakRows.map((r) => r.cells[0]?.max ?? 0)) : null;
  return [
    { goal: "join p99 ≤ 50 ms at the largest audience (POST /join included)", measured: join5k, met: join5k !== null && join5k <= 50 },
    { goal: "≥ 25× fewer frames per delivered reaction than naive at 100/s (in a burst's steady state)", measured: frameRatio, met: frameRatio !== null && frameRatio >= 25 },
    { goal: "≥ 10× less CPU per delivered reaction than naive at 100/s", measured: cpuRatio, met: cpuRatio !== null && cpuRatio >= 10 },
    { goal: "≤ 4 frames to a listener in any 1 s at every rate (highest run)", measured: maxFrameRate, met: maxFrameRate !== null && maxFrameRate <= 4 },
  ];
}
