import WebSocket from "ws";
import { startSpacesTarget } from "/work/main/bench/spaces-target.ts";
import { percentile, cpuSeconds } from "/work/main/bench/proc-stats.ts";
const t = await startSpacesTarget(600, () => {});
const urls = await t.socketTargets(400, "listener");
const base = new URL(urls[0]!.url); const http = `http://${base.host}`;
const time = async (n: number, f: (i: number) => Promise<void>) => { const s: number[] = []; for (let i = 0; i < n; i++) { const a = performance.now(); await f(i); s.push(performance.now() - a); } return `p50 ${percentile(s,50).toFixed(1)} p90 ${percentile(s,90).toFixed(1)} p99 ${percentile(s,99).toFixed(1)}`; };
const wsOnce = (url: string, until: "snapshot" | "reject") => new Promise<void>((res) => { const ws = new WebSocket(url, { perMessageDeflate: false }); ws.on("message", () => { ws.terminate(); res(); }); ws.on("unexpected-response", () => { res(); }); ws.on("error", () => res()); });
await time(50, (i) => wsOnce(urls[i]!.url, "snapshot")); // warm
for (let round = 0; round < 2; round++) {
  console.log("health        ", await time(100, async () => { await (await fetch(`${http}/api/health`)).text(); }));
  console.log("bad-token ws  ", await time(100, (i) => wsOnce(urls[0]!.url.replace(/token=[^&]+/, "token=x" + i), "reject")));
  const c0 = cpuSeconds(t.serverPid);
  console.log("join snapshot ", await time(150, (i) => wsOnce(urls[50 + round * 150 + i]!.url, "snapshot")), "server CPU ms/join", ((cpuSeconds(t.serverPid) - c0) * 1000 / 150).toFixed(2));
}
await t.stop();
