import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DeliveryError,
  type ChannelRequest,
  type DeliveringChannelAdapter,
} from '../channels/types.js';
import type { InboundMessage } from '../core/types.js';
import { isGatewayError, type ErrorCode } from '../errors.js';

/** What the shared adapter suite needs from one channel (adapter, fake API, request builders). */
export interface ChannelContractHarness {
  adapter: DeliveringChannelAdapter;
  /** The same channel configured without its webhook secret. */
  adapterWithoutSecret: DeliveringChannelAdapter;
  /** A correctly authenticated request carrying one text message from an allowed sender. */
  validRequest(): ChannelRequest;
  /** The same body with broken authentication (missing, wrong, forged...). */
  forgedRequests(): Array<{ label: string; request: ChannelRequest }>;
  /** The code `verify` reports for a refused request. */
  rejectCode: ErrorCode;
  /** What `parse(validRequest())` must yield, apart from `receivedAt`. */
  expectedMessage: Omit<InboundMessage, 'receivedAt'>;
  /** Deliveries the fake API received, as recipient and text. */
  delivered(): Array<{ to: string; text: string }>;
  /** The recipient the fake must see for `expectedMessage`. */
  expectedRecipient: string;
  failNextWith429(retryAfterSecs: number): void;
  failNextWith500(): void;
  close(): Promise<void>;
}

/** The ChannelAdapter contract, run against every channel adapter. */
export function runChannelAdapterContract(
  name: string,
  createHarness: () => Promise<ChannelContractHarness>,
): void {
  describe(`ChannelAdapter contract: ${name}`, () => {
    let h: ChannelContractHarness;
    beforeEach(async () => {
      h = await createHarness();
    });
    afterEach(async () => {
      await h.close();
    });

    const message = (): InboundMessage => ({ ...h.expectedMessage, receivedAt: Date.now() });

    it('accepts a correctly authenticated request', () => {
      expect(h.adapter.verify(h.validRequest())).toEqual({ ok: true });
    });

    it('rejects every forged request with its code', () => {
      const forged = h.forgedRequests();
      expect(forged.length).toBeGreaterThan(0);
      for (const { label, request } of forged) {
        expect(h.adapter.verify(request), label).toEqual({ ok: false, code: h.rejectCode });
      }
    });

    it('fails closed when its secret is not configured', () => {
      expect(h.adapterWithoutSecret.verify(h.validRequest())).toEqual({
        ok: false,
        code: h.rejectCode,
      });
    });

    it('parses a valid payload into a message with every field', () => {
      const request = h.validRequest();
      const parsed = h.adapter.parse(request);
      expect(parsed.messages).toEqual([{ ...h.expectedMessage, receivedAt: request.receivedAt }]);
      expect(parsed.dropped).toBe(0);
      expect(parsed.response).toBeUndefined();
    });

    it('throws INVALID_JSON for a body that is not JSON', () => {
      const request = { ...h.validRequest(), rawBody: Buffer.from('{not json') };
      let caught: unknown;
      try {
        h.adapter.parse(request);
      } catch (error) {
        caught = error;
      }
      expect(isGatewayError(caught) && caught.code).toBe('INVALID_JSON');
    });

    it('delivers a reply to the platform API', async () => {
      await h.adapter.deliver(
        { message: message(), text: 'hello back' },
        AbortSignal.timeout(10_000),
      );
      expect(h.delivered()).toEqual([{ to: h.expectedRecipient, text: 'hello back' }]);
    });

    it('maps a 429 to a retryable DeliveryError carrying the retry delay', async () => {
      h.failNextWith429(7);
      const error = await h.adapter
        .deliver({ message: message(), text: 'x' }, AbortSignal.timeout(10_000))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(DeliveryError);
      expect(error).toMatchObject({ retryable: true, retryAfterMs: 7000 });
    });

    it('maps a 500 to a retryable DeliveryError', async () => {
      h.failNextWith500();
      const error = await h.adapter
        .deliver({ message: message(), text: 'x' }, AbortSignal.timeout(10_000))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(DeliveryError);
      expect(error).toMatchObject({ retryable: true });
    });
  });
}
