// The system under test for `npm run bench`: the real stack (a frozen copy, snapshot-stack.ts), one live Space hosted by
// the seeded `host`, bench users inserted straight into local D1; join probes get tokens from POST /api/spaces/:id/join.
import WebSocket from "ws";
import { devSessionCookieValue, devSessionsSql } from "../dev/dev-sessions.ts";
import { signJoinToken } from "../worker/auth/tokens.ts";
import { ROOM_SUBPROTOCOL } from "../worker/protocol/room.ts";
import type { LoadTarget } from "./load-protocol.ts";
import { isolateHeapBytes } from "./inspector.ts";
import { findServingWorkerd } from "./proc-stats.ts";
import { startSnapshotStack } from "./snapshot-stack.ts";
import type { BenchTarget } from "./targets.ts";

const HOST_ID = "demo-host";

const benchUserId = (n: number) => `bench-user-${String(n).padStart(5, "0")}`;

/**
 * Bench users cannot log in (the hash is not a PBKDF2 output, like the seed's fans): the bench owns this local stack,
 * so it signs their session cookies with the stack's SESSION_SECRET instead of paying ~100k PBKDF2 rounds per login.
 */
function insertUsersSql(count: number): string {
  const rows: string[] = [];
  for (let n = 0; n < count; n++) {
    const id = benchUserId(n);
    rows.push(`('${id}', 'bench_${n}', 'Bench Listener ${n}', '!', '!', 'cal-${id}')`);
  }
  const statements: string[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    statements.push(
      `INSERT OR IGNORE INTO users (id, handle, display_name, password_hash, password_salt, calendar_token) VALUES ${rows.slice(i, i + 500).join(",\n")};`,
    );
  }
  // Their sessions (and the seeded host's) exist server-side, as a login would have made them.
  statements.push(devSessionsSql([HOST_ID, ...Array.from({ length: count }, (_, n) => benchUserId(n))]));
  return statements.join("\n");
}

/** `vars`: settings for this run's Worker beyond the stack's own (the shard run sets SHARD_THRESHOLD). */
export async function startSpacesTarget(userCount: number, log: (line: string) => void, vars: Record<string, string> = {}): Promise<BenchTarget> {
  log(`${userCount} bench users go into local D1 with the schema`);
  const stack = await startSnapshotStack(log, insertUsersSql(userCount), vars);
  const secret = stack.secrets.SESSION_SECRET!;
  try {
    // Sockets go straight to the workerd that runs the Worker; wrangler's dev proxy would double every frame's cost.
    const serving = await findServingWorkerd(stack.wranglerPid, stack.port, async (port) => {
      const response = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
      return response?.ok === true && ((await response.json().catch(() => null)) as { ok?: boolean } | null)?.ok === true;
    });
    const api = `http://127.0.0.1:${serving.port}`;
    const cookies = new Map<string, string>();
    const call = async (userId: string, path: string, body?: unknown) => {
      let cookie = cookies.get(userId);
      if (!cookie) cookies.set(userId, (cookie = `spaces_session=${await devSessionCookieValue(secret, userId)}`));
      const response = await fetch(`${api}${path}`, {
        method: "POST",
        headers: { Cookie: cookie, Origin: stack.url, "Content-Type": "application/json" },
        body: JSON.stringify(body ?? {}),
      });
      const json = (await response.json()) as Record<string, unknown>;
      if (!response.ok) throw new Error(`${path} answered ${response.status}: ${JSON.stringify(json)}`);
      return json;
    };

    const created = (await call(HOST_ID, "/api/spaces", { title: "Bench room" })) as { space: { id: string } };
    const spaceId = created.space.id;
    await call(HOST_ID, `/api/spaces/${spaceId}/start`);
    const liveBase = `ws://127.0.0.1:${serving.port}/api/spaces/${spaceId}/live`;
    const protocols = (token: string) => [ROOM_SUBPROTOCOL, token];
    // Probes pay POST /join inside their timed join, with the person's own session, as a listener does.
    const probeTarget = async (userId: string): Promise<LoadTarget> => ({
      url: liveBase,
      join: {
        url: `${api}/api/spaces/${spaceId}/join`,
        headers: { Cookie: `spaces_session=${await devSessionCookieValue(secret, userId)}`, Origin: stack.url, "Content-Type": "application/json" },
      },
    });
    // Bulk listeners get the very token POST /join would sign, without its D1 reads (~15 ms each on local D1, which
    // would make 5k listeners cost over a minute); the upgrade still verifies it in the Worker as for anyone.
    const signedUrl = async (userId: string): Promise<LoadTarget> => {
      const n = userId.slice("bench-user-".length);
      const token = await signJoinToken(secret, {
        userId, handle: `bench_${Number(n)}`, displayName: `Bench Listener ${Number(n)}`, spaceId, hostFollows: false,
      });
      return { url: liveBase, protocols: protocols(token) };
    };

    // The host stays connected for the whole run, as in a real Space (a hostless room ends after 5 minutes).
    const { token: hostToken } = (await call(HOST_ID, `/api/spaces/${spaceId}/join`)) as { token: string };
    const hostSocket = new WebSocket(liveBase, protocols(hostToken), { perMessageDeflate: false });
    await new Promise((resolve, reject) => {
      hostSocket.once("message", resolve);
      hostSocket.once("error", reject);
    });

    let nextUser = 0;
    return {
      name: "spaces",
      label: "Spaces room (SpaceRoom DO)",
      serverPid: serving.pid,
      heapBytes: () => isolateHeapBytes(stack.inspectorPort),
      inspectorPort: () => stack.inspectorPort,
      audio: { url: stack.url, sessionSecret: secret, callsCounts: stack.callsCounts },
      notes: `live Space ${spaceId}; sockets on workerd's own port ${serving.port} (dev proxy pid ${serving.proxyPids.join(",")} bypassed); probes call POST /join`,
      async socketTargets(count, purpose) {
        if (nextUser + count > userCount) throw new Error(`the bench inserted only ${userCount} users`);
        const ids = Array.from({ length: count }, () => benchUserId(nextUser++));
        return Promise.all(ids.map(purpose === "probe" ? probeTarget : signedUrl));
      },
      async stop() {
        hostSocket.terminate();
        await stack.stop();
      },
    };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}
