// The fan-out model behind `npm run sim:fanout`: a room with a tree of shard objects under it, costed with the
// per-operation CPU the bench measured. Pure arithmetic (unit-tested), no I/O.

export type ModelCosts = {
  /** CPU to send one frame to one socket. */
  sendPerSocketMicros: number;
  /** CPU to take one reaction from a socket (parse, rate check, batch). */
  receivePerReactionMicros: number;
  /** One DO-to-DO RPC, charged in full to both the caller and the callee (measured as their sum: conservative). */
  rpcMicros: number;
  /** Encoding one frame (once per flush per object, not per socket). */
  encodeMicros: number;
  /** Isolate memory one listener costs the object holding its socket. */
  heapBytesPerListener: number;
};

export type ModelLoad = {
  listeners: number;
  reactionsPerSecond: number;
  /** Stage changes a second, each one frame to every listener. */
  stageChangesPerSecond: number;
  /** Reaction flushes a second to each socket (the cap of 4 frames). */
  flushesPerSecond: number;
};

/** Documented Durable Object limits the model checks (sources in the README). */
export type ModelLimits = {
  /** The goal, not a platform limit: no object above this share of one core. */
  coreShare: number;
  /** Workers memory limit per isolate. */
  memoryBytes: number;
  /** The documented soft limit of requests (here: RPCs in) per object per second. */
  requestsPerSecond: number;
  /** The docs' "potentially over 10k" WebSocket messages per second per object. */
  socketMessagesPerSecond: number;
  /** Subrequests one invocation may make (an RPC fan-out per flush is one invocation's). */
  subrequestsPerInvocation: number;
};

export const DEFAULT_LIMITS: ModelLimits = { coreShare: 0.5, memoryBytes: 128 * 2 ** 20, requestsPerSecond: 1000, socketMessagesPerSecond: 10_000, subrequestsPerInvocation: 1000 };

export type ObjectLoad = {
  kind: "room" | "relay" | "shard";
  count: number;
  sockets: number;
  children: number;
  /** CPU seconds per second, i.e. the share of one core. */
  coreShare: number;
  /** Frames (socket sends + RPCs) the object sends per second. */
  framesOutPerSecond: number;
  /** RPCs it receives per second (batches from children, frames from its parent). */
  rpcsInPerSecond: number;
  /** WebSocket messages (reactions) from its own listeners per second. */
  socketMessagesInPerSecond: number;
  memoryBytes: number;
  /** The limit closest to binding, and how much of it is used (1 = at the limit). */
  binding: { limit: string; used: number };
};

export type TreePlan = { socketsPerShard: number; childrenPerNode: number; depth: number; levels: ObjectLoad[] };

/** Frames each listener receives per second: the reaction flushes plus one per stage change. */
export const framesPerListener = (load: ModelLoad) => load.flushesPerSecond + load.stageChangesPerSecond;

function binding(object: Omit<ObjectLoad, "binding">, limits: ModelLimits): ObjectLoad["binding"] {
  const uses: [string, number][] = [
    [`CPU (goal ${limits.coreShare * 100}% of a core)`, object.coreShare / limits.coreShare],
    [`memory (${limits.memoryBytes / 2 ** 20} MB per isolate)`, object.memoryBytes / limits.memoryBytes],
    [`RPCs in (soft ${limits.requestsPerSecond} requests/s)`, object.rpcsInPerSecond / limits.requestsPerSecond],
    [`socket messages in (~${limits.socketMessagesPerSecond}/s)`, object.socketMessagesInPerSecond / limits.socketMessagesPerSecond],
    [`subrequests per flush (${limits.subrequestsPerInvocation})`, object.children / limits.subrequestsPerInvocation],
  ];
  const [limit, used] = uses.reduce((a, b) => (b[1] > a[1] ? b : a));
  return { limit, used };
}

/** Loads of one object holding `sockets` listeners with `children` below it and (unless it is the root) a parent. */
export function objectLoad(
  kind: ObjectLoad["kind"],
  count: number,
  sockets: number,
  children: number,
  load: ModelLoad,
  costs: ModelCosts,
  limits: ModelLimits = DEFAULT_LIMITS,
): ObjectLoad {
  const perListener = framesPerListener(load);
  const hasParent = kind !== "room";
  // Each flush: a batch up from every child and the merged frame down to every child; plus the same with the parent.
  const rpcsPerSecond = (children + (hasParent ? 1 : 0)) * (load.flushesPerSecond + perListener);
  const reactionsIn = load.listeners > 0 ? (load.reactionsPerSecond * sockets) / load.listeners : 0;
  const micros =
    sockets * perListener * costs.sendPerSocketMicros +
    reactionsIn * costs.receivePerReactionMicros +
    rpcsPerSecond * costs.rpcMicros +
    perListener * costs.encodeMicros;
  const object = {
    kind,
    count,
    sockets,
    children,
    coreShare: micros / 1e6,
    framesOutPerSecond: sockets * perListener + children * perListener + (hasParent ? load.flushesPerSecond : 0),
    rpcsInPerSecond: children * load.flushesPerSecond + (hasParent ? perListener : 0),
    socketMessagesInPerSecond: reactionsIn,
    memoryBytes: sockets * costs.heapBytesPerListener,
  };
  return { ...object, binding: binding(object, limits) };
}

/** The most sockets one object can hold at `share` of a core (its RPCs to a parent included). */
export function socketsWithin(share: number, load: ModelLoad, costs: ModelCosts): number {
  const perListener = framesPerListener(load);
  const perSocket = perListener * costs.sendPerSocketMicros + (load.reactionsPerSecond / Math.max(load.listeners, 1)) * costs.receivePerReactionMicros;
  const fixed = (load.flushesPerSecond + perListener) * costs.rpcMicros + perListener * costs.encodeMicros;
  return Math.max(1, Math.floor((share * 1e6 - fixed) / perSocket));
}

/** The most children a relay can serve at `share` of a core and half the soft request limit. */
export function childrenWithin(share: number, load: ModelLoad, costs: ModelCosts, limits: ModelLimits = DEFAULT_LIMITS): number {
  const perChild = (load.flushesPerSecond + framesPerListener(load)) * costs.rpcMicros;
  const byCpu = Math.floor((share * 1e6) / perChild) - 1;
  const byRequests = Math.floor((0.5 * limits.requestsPerSecond) / load.flushesPerSecond);
  return Math.max(2, Math.min(byCpu, byRequests));
}

/**
 * The tree for `load`: shards sized to `headroom` of the CPU goal (and of the memory limit), relays with as many
 * children as fit the same share; the room holds the sockets itself while they fit.
 */
export function planTree(load: ModelLoad, costs: ModelCosts, limits: ModelLimits = DEFAULT_LIMITS, headroom = 0.8): TreePlan {
  const share = limits.coreShare * headroom;
  const byMemory = Math.floor((limits.memoryBytes * headroom) / Math.max(costs.heapBytesPerListener, 1));
  const socketsPerShard = Math.min(socketsWithin(share, load, costs), byMemory);
  const childrenPerNode = childrenWithin(share, load, costs, limits);
  if (load.listeners <= socketsPerShard) {
    return { socketsPerShard, childrenPerNode, depth: 1, levels: [objectLoad("room", 1, load.listeners, 0, load, costs, limits)] };
  }
  // Bottom-up: leaf shards, then relays until the top level fits under the room.
  const counts = [Math.ceil(load.listeners / socketsPerShard)];
  while (counts[0]! > childrenPerNode) counts.unshift(Math.ceil(counts[0]! / childrenPerNode));
  const levels: ObjectLoad[] = [objectLoad("room", 1, 0, counts[0]!, load, costs, limits)];
  counts.forEach((count, i) => {
    const leaf = i === counts.length - 1;
    const children = leaf ? 0 : Math.ceil(counts[i + 1]! / count);
    levels.push(objectLoad(leaf ? "shard" : "relay", count, leaf ? Math.ceil(load.listeners / count) : 0, children, load, costs, limits));
  });
  return { socketsPerShard, childrenPerNode, depth: levels.length, levels };
}
