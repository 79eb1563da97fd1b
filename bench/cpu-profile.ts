// Samples the Worker isolate's JavaScript with V8's CPU profiler through wrangler dev's inspector (Chrome DevTools
// Protocol), and sums self time per function: where the room's own JS time goes (native sends show under the caller).
import { openInspector } from "./inspector.ts";

type CallFrame = { functionName: string; scriptId: string; url: string; lineNumber: number; columnNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

/** `source`: the first characters of the function in the bundle, to tell minified names apart. */
export type FunctionTime = { name: string; selfMs: number; share: number; source?: string; frame?: CallFrame };
/** `top`: self time per function; `inclusive`: time with the function anywhere on the stack (named functions only). */
export type ProfileSummary = { totalMs: number; idleMs: number; top: FunctionTime[]; inclusive: FunctionTime[] };

/** Starts sampling every `intervalUs`; the returned stop() ends it and summarises the `topN` costliest functions. */
export async function startCpuProfile(inspectorPort: number, intervalUs = 200): Promise<(topN?: number) => Promise<ProfileSummary>> {
  const { call, close } = await openInspector(inspectorPort, 30_000);
  await call("Profiler.enable");
  await call("Profiler.setSamplingInterval", { interval: intervalUs });
  await call("Profiler.start");
  return async (topN = 25) => {
    try {
      const { profile } = (await call("Profiler.stop")) as { profile: Profile };
      const summary = summarise(profile, topN);
      await call("Debugger.enable");
      const sources = new Map<string, string[]>();
      for (const entry of summary.top) {
        const frame = entry.frame;
        if (!frame || !frame.scriptId || frame.scriptId === "0") continue;
        if (!sources.has(frame.scriptId)) {
          const { scriptSource } = (await call("Debugger.getScriptSource", { scriptId: frame.scriptId }).catch(() => ({ scriptSource: "" }))) as { scriptSource: string };
          sources.set(frame.scriptId, scriptSource.split("\n"));
        }
        entry.source = sources.get(frame.scriptId)?.[frame.lineNumber]?.slice(frame.columnNumber, frame.columnNumber + 90);
      }
      return summary;
    } finally {
      close();
    }
  };
}

const label = (frame: ProfileNode["callFrame"]) =>
  `${frame.functionName || "(anonymous)"} ${frame.url.split("/").slice(-1)[0]}:${frame.lineNumber + 1}:${frame.columnNumber + 1}`;

function summarise(profile: Profile, topN: number): ProfileSummary {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfUs = new Map<string, number>();
  const frames = new Map<string, CallFrame>();
  const inclusiveUs = new Map<string, number>();
  let idleUs = 0;
  let totalUs = 0;
  profile.samples.forEach((nodeId, i) => {
    const delta = profile.timeDeltas[i + 1] ?? 0;
    const frame = byNode.get(nodeId)?.callFrame;
    if (!frame) return;
    totalUs += delta;
    if (frame.functionName === "(idle)") return void (idleUs += delta);
    selfUs.set(label(frame), (selfUs.get(label(frame)) ?? 0) + delta);
    frames.set(label(frame), frame);
    const onStack = new Set<string>();
    for (let id: number | undefined = nodeId; id !== undefined; id = parent.get(id)) {
      const name = byNode.get(id)?.callFrame.functionName;
      if (name && !name.startsWith("(")) onStack.add(name);
    }
    for (const name of onStack) inclusiveUs.set(name, (inclusiveUs.get(name) ?? 0) + delta);
  });
  const busyUs = Math.max(1, totalUs - idleUs);
  const rank = (times: Map<string, number>) =>
    [...times.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topN)
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: us / busyUs, frame: frames.get(name) }));
  return { totalMs: totalUs / 1000, idleMs: idleUs / 1000, top: rank(selfUs), inclusive: rank(inclusiveUs) };
}
