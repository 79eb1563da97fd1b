// Reads what the bench reports about processes straight from /proc: CPU seconds (utime+stime), resident memory,
// and which workerd child of a wrangler dev actually runs the Worker (wrangler also starts a dev proxy workerd).
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

const CLOCK_TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux x86-64 and arm64
const PAGE_BYTES = 4096;

function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name may hold spaces and parentheses: fields start after the last ")".
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** User + system CPU seconds a process has used so far (its own threads; children are separate pids). */
export function cpuSeconds(pid: number): number {
  const fields = statFields(pid);
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

export function rssBytes(pid: number): number {
  const statm = readFileSync(`/proc/${pid}/statm`, "utf8").split(" ");
  return Number(statm[1]) * PAGE_BYTES;
}

/** Busy and total CPU ticks of the whole machine so far (all cores, from the first line of /proc/stat). */
export function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const idle = fields[3]! + fields[4]!;
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

export const totalCpuSeconds = (pids: number[]) => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);

/** Every live descendant of `root` with its command name. */
export function descendants(root: number): { pid: number; comm: string }[] {
  const children = new Map<number, { pid: number; comm: string }[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(statFields(Number(entry))[1]);
      const list = children.get(ppid) ?? [];
      list.push({ pid: Number(entry), comm });
      children.set(ppid, list);
    } catch {
      // The process ended while we looked.
    }
  }
  const found: { pid: number; comm: string }[] = [];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      walk(child.pid);
    }
  };
  walk(root);
  return found;
}

/** TCP ports a process listens on (IPv4 loopback or any), from its socket inodes and /proc/net/tcp. */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // fd closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols[3] === "0A" && inodes.has(cols[9] ?? "")) ports.push(Number.parseInt(cols[1]!.split(":")[1]!, 16));
  }
  return ports;
}

/**
 * The workerd under `root` that runs the user Worker, and its own entry port: the one (not the public dev-proxy port)
 * where `probe(port)` says yes. Talking to it directly leaves wrangler's dev-only proxy out of the measurement.
 */
export async function findServingWorkerd(
  root: number,
  publicPort: number,
  probe: (port: number) => Promise<boolean>,
): Promise<{ pid: number; port: number; proxyPids: number[] }> {
  const workerds = descendants(root).filter((p) => p.comm === "workerd");
  for (const candidate of workerds) {
    const ports = listeningPorts(candidate.pid);
    if (ports.includes(publicPort)) continue;
    for (const port of ports) {
      if (await probe(port)) {
        return { pid: candidate.pid, port, proxyPids: workerds.filter((w) => w.pid !== candidate.pid).map((w) => w.pid) };
      }
    }
  }
  throw new Error(`no workerd under pid ${root} answered the probe (saw ${workerds.map((w) => w.pid).join(", ") || "none"})`);
}
