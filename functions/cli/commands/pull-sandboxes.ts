import { randomBytes } from "node:crypto";
import { startHubspotSandbox } from "../../sources/hubspot/sandbox.js";
import { hubspotSandboxData } from "../demo/synthetic/hubspot.js";
import { scenario } from "../demo/synthetic/people.js";

/**
 * The local sandbox of each pulled vendor, for `unistack pull` and the demo: a server on loopback
 * that answers like the vendor over the demo's synthetic people. Each gives the connection
 * settings and secrets that point a pull at it. A pulled source without a sandbox here cannot be
 * pulled locally.
 */
export interface RunningSandbox {
  readonly url: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export interface SandboxInput {
  readonly contacts: number;
  readonly seed: number;
  readonly now: Date;
}

export const PULL_SANDBOXES: Readonly<
  Record<string, (input: SandboxInput) => Promise<RunningSandbox>>
> = {
  async hubspot(input) {
    const token = `pat-local-${randomBytes(8).toString("hex")}`;
    const { people } = scenario(input.seed, input.contacts, 1);
    const sandbox = await startHubspotSandbox({
      data: hubspotSandboxData({ people, seed: input.seed, now: input.now }),
      token,
    });
    return {
      url: sandbox.url,
      settings: { baseUrl: sandbox.url },
      env: { HUBSPOT_ACCESS_TOKEN: token },
      close: () => sandbox.close(),
    };
  },
};
