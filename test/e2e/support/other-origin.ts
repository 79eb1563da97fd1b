// A tiny page on another origin (localhost on its own port, while the stack is 127.0.0.1) that frames a URL, as a
// blog embedding Spaces would. It sets window.frameLoaded when the iframe's load event fires (blocked or not).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export type OtherOriginPage = { url: string; close(): Promise<void> };

export async function startOtherOriginPage(frameSrc: string, size = { width: 400, height: 120 }): Promise<OtherOriginPage> {
  const html = `<!doctype html><html><head><title>Someone's blog</title></head><body>
<h1>My blog</h1>
<iframe src="${frameSrc}" width="${size.width}" height="${size.height}" title="Spaces" onload="window.frameLoaded = true"></iframe>
</body></html>`;
  const server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
