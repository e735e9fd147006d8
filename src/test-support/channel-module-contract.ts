import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL_MODULES } from '../channels/modules.js';
import type { ChannelModule } from '../channels/module.js';
import { routePaths } from '../channels/route-builder.js';
import { configSchema } from '../config/schema.js';
import type { TestGateway } from './gateway-harness.js';

/** How one declared route is exercised on a running gateway. */
export interface RouteProbe {
  /** Sends a request the channel must accept on `path` and asserts the answer. */
  accept(gateway: TestGateway, path: string): Promise<void>;
  /** Sends an unauthenticated (or forged) request on `path`; returns what the gateway answered. */
  refuse(gateway: TestGateway, path: string): Promise<{ status: number; code: string }>;
  /** What the refusal must be. */
  refusedWith: { status: number; code: string };
}

/** What the shared suite needs from one channel module. */
export interface ChannelModuleHarness {
  /** A gateway with the channel turned on (and whatever fakes it talks to). */
  start(): Promise<{ gateway: TestGateway; close(): Promise<void> }>;
  /** One probe per declared route id. */
  probes: Readonly<Record<string, RouteProbe>>;
}

const CONFIG_SECTIONS = Object.keys(configSchema.shape.channels_config.unwrap().shape);

/**
 * The channel module contract, run for every module in the list: it is listed once under a
 * unique name, owns a `channels_config` section, and every declared route — under its path and
 * each alias alike — accepts an authenticated request and refuses an unauthenticated one.
 */
export function runChannelModuleContract(
  module: ChannelModule,
  harness: ChannelModuleHarness,
): void {
  describe(`channel module contract: ${module.name}`, () => {
    let running: { gateway: TestGateway; close(): Promise<void> };
    beforeAll(async () => {
      running = await harness.start();
    });
    afterAll(async () => {
      await running.close();
    });

    it('is listed exactly once, under its own name, with a channels_config section', () => {
      expect(CHANNEL_MODULES.filter((listed) => listed.name === module.name)).toEqual([module]);
      expect(CONFIG_SECTIONS).toContain(module.configSection);
    });

    it('has a probe for every declared route and declares no path twice', () => {
      expect(Object.keys(harness.probes).sort()).toEqual(module.routes.map((r) => r.id).sort());
      const keys = module.routes.flatMap((route) =>
        routePaths(route).map((path) => `${route.method} ${path}`),
      );
      expect(new Set(keys).size).toBe(keys.length);
    });

    for (const route of module.routes) {
      for (const path of routePaths(route)) {
        it(`accepts an authenticated ${route.method} ${path}`, async () => {
          const probe = harness.probes[route.id];
          if (probe === undefined) throw new Error(`no probe for route ${route.id}`);
          await probe.accept(running.gateway, path);
        });

        it(`refuses an unauthenticated ${route.method} ${path}`, async () => {
          const probe = harness.probes[route.id];
          if (probe === undefined) throw new Error(`no probe for route ${route.id}`);
          expect(await probe.refuse(running.gateway, path)).toEqual(probe.refusedWith);
        });
      }
    }
  });
}
