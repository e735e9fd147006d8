/** What the start-up banner knows about pairing. */
export interface NextStepsOptions {
  /** `http://HOST:PORT` the gateway listens on. */
  url: string;
  /** The live pairing code, when one was issued at this start. */
  code: string | undefined;
  /** Whether at least one token is already paired. */
  paired: boolean;
  requirePairing: boolean;
}

/**
 * The lines printed after `gatehouse listening on …`: where the web chat is and the one command a
 * newcomer runs next. The code appears only in the curl line, which goes to stdout like the code.
 */
export function nextStepsLines(options: NextStepsOptions): string[] {
  const { url, code } = options;
  const lines = [`gatehouse web chat: ${url}/`];
  if (!options.requirePairing) {
    lines.push(
      `gatehouse try: curl -X POST ${url}/webhook -H 'Content-Type: application/json' -d '{"message":"hello"}'`,
    );
  } else if (code !== undefined) {
    lines.push(`gatehouse pair: curl -X POST ${url}/pair -H 'X-Pairing-Code: ${code}'`);
  } else if (options.paired) {
    lines.push('gatehouse is already paired; run `gatehouse pair` to get a new code');
  }
  return lines;
}
