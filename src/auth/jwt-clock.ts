/**
 * Clock leeway for `exp`, `nbf` and `iat`; the issue caps it at 60 s. Its own module so that
 * revocation bookkeeping can use it without loading jose.
 */
export const JWT_CLOCK_TOLERANCE_SECS = 60;
