/**
 * Whether a sender passes a channel allowlist: `["*"]` admits everyone, an empty list admits
 * nobody (a fresh install must not answer strangers), otherwise an exact match is required.
 */
export function isSenderAllowed(
  allowlist: ReadonlyArray<string | number>,
  senderId: string | number,
): boolean {
  const sender = String(senderId);
  return allowlist.some((entry) => entry === '*' || String(entry) === sender);
}
