// The three servers `npm run bench` measures behind one shape: the real room (spaces-target.ts) and its two peers,
// the naive broadcast room in workerd (bench/naive-room/) and the plain Node `ws` broadcast server (ws-peer.ts).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stopChild, waitForChild } from "../dev/processes.ts";
import { freePort, ROOT } from "../dev/stack.ts";
import type { AudioStack } from "./audio-join.ts";
import type { LoadTarget } from "./load-protocol.ts";
import { isolateHeapBytes } from "./inspector.ts";
import { findServingWorkerd } from "./proc-stats.ts";

import type { TargetName } from "./plan.ts";

export type { TargetName };

/** A workerd process serving the bench Worker's /micro routes (bench/naive-room), whose CPU the bench reads. */
export type MicroTarget = { url: string; pid: number };

export type BenchTarget = {
  name: TargetName;
  label: string;
  /** The one process whose CPU and RSS are the server's (workerd running the Worker, or the ws peer's node). */
  serverPid: number;
  notes: string;
  /** The whole app (Spaces only), for the audio join section that drives it in Chromium. */
  audio?: AudioStack;
  /** The Worker isolate's JS heap after a GC (workerd targets), to tell the room's own memory from the runtime's. */
  heapBytes?: () => Promise<number | null>;
  /** wrangler dev's inspector port for the Worker isolate (workerd targets), for CPU profiles (bench/profile-fanout.ts). */
  inspectorPort?: () => number;
  /** Where the per-operation micro costs are measured (the naive room's Worker serves /micro/*). */
  micro?: MicroTarget;
  /**
   * URLs for `count` new sockets, fetched just before they connect (Spaces join tokens live 60 s). Probes are the
   * timed joins; listeners are the audience connected in bulk.
   */
  socketTargets(count: number, purpose: "probe" | "listener"): Promise<LoadTarget[]>;
  /** Starts the server afresh (new process, new pid) after a run left it with a backlog it cannot shed. */
  restart?: () => Promise<void>;
  /** The tail of the server's own output, printed when a run against it fails. */
  diagnostics?: () => string;
  stop(): Promise<void>;
};

const WRANGLER = join(ROOT, "node_modules/wrangler/bin/wrangler.js");

const answersUpgradeRequired = async (port: number) =>
  (await fetch(`http://127.0.0.1:${port}/room/probe`, { signal: AbortSignal.timeout(2000) })).status === 426;

let listenerSerial = 0;
const peerTargets = (base: string, count: number): LoadTarget[] =>
  Array.from({ length: count }, () => ({ url: `${base}?user=listener-${listenerSerial++}` }));

/** A running naive room: its serving workerd (pid, own port), wrangler's inspector port, and how to stop it. */
export type NaiveRun = { pid: number; port: number; inspectorPort: number; output: () => string; stop: () => Promise<void> };

export async function launchNaiveRoom(): Promise<NaiveRun> {
  const port = await freePort();
  const inspectorPort = await freePort();
  const persistDir = mkdtempSync(join(tmpdir(), "bench-naive-"));
  const child = spawn(
    process.execPath,
    [
      WRANGLER, "dev", "--config", join(ROOT, "bench/naive-room/wrangler.toml"), "--ip", "127.0.0.1", "--port", String(port),
      "--inspector-port", String(inspectorPort), "--persist-to", persistDir,
      "--show-interactive-dev-session=false",
    ],
    { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout!.on("data", (chunk) => (output = (output + chunk).slice(-10_000)));
  child.stderr!.on("data", (chunk) => (output = (output + chunk).slice(-10_000)));
  const stop = async () => {
    await stopChild(child);
    rmSync(persistDir, { recursive: true, force: true });
  };
  try {
    await waitForChild(child, "the naive room's wrangler dev", () => answersUpgradeRequired(port));
    const serving = await findServingWorkerd(child.pid!, port, (p) => answersUpgradeRequired(p).catch(() => false));
    return { pid: serving.pid, port: serving.port, inspectorPort, output: () => output, stop };
  } catch (error) {
    await stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${output.slice(-3000)}`);
  }
}

export async function startNaiveRoom(log: (line: string) => void): Promise<BenchTarget> {
  log("Starting the naive broadcast room (wrangler dev, bench/naive-room)…");
  let run = await launchNaiveRoom();
  const target: BenchTarget = {
    name: "naive",
    label: "naive broadcast DO (workerd)",
    serverPid: run.pid,
    notes: "hibernatable sockets, every reaction sent to every socket at once; sockets on workerd's own port (dev proxy bypassed)",
    socketTargets: async (count) => peerTargets(`ws://127.0.0.1:${run.port}/room/bench`, count),
    heapBytes: () => isolateHeapBytes(run.inspectorPort),
    inspectorPort: () => run.inspectorPort,
    get micro() {
      return { url: `http://127.0.0.1:${run.port}`, pid: run.pid };
    },
    diagnostics: () => run.output().slice(-3000),
    // After an overload its DO stays wedged on the backlog for minutes (workerd logs "another message send is already
    // in progress"), so the later join and memory figures are taken on a fresh process.
    restart: async () => {
      log("naive: restarting it to shed the overload backlog");
      await run.stop();
      run = await launchNaiveRoom();
      target.serverPid = run.pid;
    },
    stop: () => run.stop(),
  };
  return target;
}

export async function startWsPeer(log: (line: string) => void): Promise<BenchTarget> {
  log("Starting the plain Node ws broadcast server…");
  const child = spawn(process.execPath, [join(ROOT, "bench/ws-peer.ts"), "0"], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = "";
    child.stdout!.on("data", (chunk) => {
      buffered += chunk;
      const match = /"port":(\d+)/.exec(buffered);
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", (code) => reject(new Error(`the ws peer exited with ${code}`)));
  });
  return {
    name: "ws",
    label: "Node ws broadcast",
    serverPid: child.pid!,
    notes: `ws ${process.versions.node ? `on node ${process.versions.node}` : ""}, one process, every reaction sent to every socket`,
    socketTargets: async (count) => peerTargets(`ws://127.0.0.1:${port}/`, count),
    stop: () => stopChild(child),
  };
}
