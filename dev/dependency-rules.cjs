// The layering rule of README.md, made executable (`npm run lint:deps`, a stage of `npm test`):
//   protocol ← db ← domain (space, payments, audio, media, notify, calls, auth, calendar, announce, cron) ← http ← app/index;
//   web → worker/protocol only; bench/ and dev/ → worker/, never test/; no cycles anywhere.
/** Domain code: everything in worker/ between the database and the HTTP routes (space, payments, audio, media,
 *  notify, calls, auth, calendar, share, announce.ts, cron.ts, and any new folder). */
const DOMAIN = "^worker/";
const NOT_DOMAIN = "^worker/(protocol|db|http)/|^worker/(app|index|settings|sockets)\\.ts$|\\.d\\.ts$";
const ENTRY = "^worker/(app|index)\\.ts$";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      comment: "Modules import one way; a cycle means two files are one concern or a layer reaches back.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "protocol-is-the-bottom",
      comment: "worker/protocol/ is shared with web/: it imports nothing else from the project.",
      severity: "error",
      from: { path: "^worker/protocol/" },
      to: { path: "^(worker|web|dev|bench|test)/", pathNot: "^worker/protocol/" },
    },
    {
      name: "leaves-stay-leaves",
      comment: "worker/settings.ts (env vars) and worker/sockets.ts (safe send/close) serve every layer, so depend on none.",
      severity: "error",
      from: { path: "^worker/(settings|sockets)\\.ts$" },
      to: { path: "^(worker|web|dev|bench|test)/" },
    },
    {
      name: "db-only-on-protocol",
      comment: "worker/db/ holds the SQL; it may use protocol types and settings, never domain or HTTP code.",
      severity: "error",
      from: { path: "^worker/db/" },
      to: { path: "^worker/", pathNot: "^worker/(db|protocol)/|^worker/settings\\.ts$|^worker/worker-configuration\\.d\\.ts$" },
    },
    {
      name: "domain-not-on-http",
      comment: "Domain code returns typed results or throws DomainError; it never imports routes or the app.",
      severity: "error",
      from: { path: DOMAIN, pathNot: NOT_DOMAIN },
      to: { path: `^worker/http/|${ENTRY}` },
    },
    {
      name: "durable-object-class-only-from-routes",
      comment: "Domain code talks to the room through narrow functions or types, not the Durable Object class.",
      severity: "error",
      from: { path: DOMAIN, pathNot: `${NOT_DOMAIN}|^worker/space/` },
      to: { path: "^worker/space/space-room\\.ts$" },
    },
    {
      name: "http-not-on-entry",
      comment: "Routes are mounted by app.ts; they never import it or the Worker entry.",
      severity: "error",
      from: { path: "^worker/http/" },
      to: { path: ENTRY },
    },
    {
      name: "worker-not-on-tools",
      comment: "The Worker ships alone: it never imports the web app, tests, dev stand-ins or bench code.",
      severity: "error",
      from: { path: "^worker/" },
      to: { path: "^(web|test|dev|bench)/" },
    },
    {
      name: "web-only-on-protocol",
      comment: "The web app shares wire types with the Worker and nothing else.",
      severity: "error",
      from: { path: "^web/" },
      to: { path: "^(worker|dev|bench|test)/", pathNot: "^worker/protocol/" },
    },
    {
      name: "tools-never-on-tests",
      comment: "bench/ and dev/ may use the Worker's code, never test/ (tests use them, not the other way round).",
      severity: "error",
      from: { path: "^(bench|dev)/" },
      to: { path: "^test/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)node_modules/|^web/\\.svelte-kit/|^web/build/|^bench/results/" },
    // Type-only imports count: a type import of the DO class is still an upward dependency.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      // web/ reaches worker/protocol through package.json "imports" (#protocol/*), which the resolver reads by default.
      extensions: [".ts", ".js", ".mjs", ".cjs", ".svelte", ".d.ts"],
    },
    skipAnalysisNotInRules: true,
  },
};
