import { GatewayError } from '../../errors.js';
import type { OnRequestGuard } from './timeout.js';

/** Options for contentLengthGuard. */
export interface BodyLimitOptions {
  maxBytes: number;
}

/**
 * Rejects a declared oversize body (Content-Length) before any other hook, parsing or
 * authentication runs. Chunked bodies have no length up front; the raw-body parser counts their
 * bytes and stops at the same limit.
 */
export function contentLengthGuard(options: BodyLimitOptions): OnRequestGuard {
  const { maxBytes } = options;
  return function contentLengthGuardHook(request, _reply, done) {
    const declared = request.headers['content-length'];
    // Node's parser has already rejected non-numeric and conflicting Content-Length values.
    if (declared !== undefined && Number(declared) > maxBytes) {
      done(new GatewayError('PAYLOAD_TOO_LARGE'));
      return;
    }
    done();
  };
}
