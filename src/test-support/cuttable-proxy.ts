import { connect, createServer, type Server, type Socket } from 'node:net';

/*
 * A TCP proxy in front of one backend whose open connections a test can cut at once, as a Wi-Fi
 * blip or a restarted middlebox would: both sides see their socket end without a WebSocket close
 * frame (the browser reports 1006, the gateway a dropped peer).
 */

/** A running proxy. */
export interface CuttableProxy {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** The backend port on 127.0.0.1; connections accepted before it is set are refused. */
  setTarget(port: number): void;
  /** Destroys every open connection (both halves); returns how many client connections it cut. */
  cut(): number;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1, port 0; set its target before the first connection. */
export async function startCuttableProxy(): Promise<CuttableProxy> {
  let target: number | undefined;
  const pairs = new Set<{ client: Socket; upstream: Socket }>();

  const server: Server = createServer((client) => {
    client.on('error', () => undefined);
    if (target === undefined) {
      client.destroy();
      return;
    }
    const upstream = connect({ host: '127.0.0.1', port: target });
    upstream.on('error', () => client.destroy());
    const pair = { client, upstream };
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const forget = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.once('close', forget);
    upstream.once('close', forget);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  const cut = (): number => {
    const count = pairs.size;
    for (const { client, upstream } of [...pairs]) {
      // resetAndDestroy sends a TCP RST: no orderly shutdown that a peer could mistake for a close.
      client.resetAndDestroy();
      upstream.resetAndDestroy();
    }
    pairs.clear();
    return count;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setTarget: (value) => {
      target = value;
    },
    cut,
    close: () =>
      new Promise<void>((resolve) => {
        cut();
        server.close(() => resolve());
      }),
  };
}
