import { appendFileSync, existsSync, writeFileSync } from 'node:fs';

/*
 * Stand-ins for cloudflared, tailscale, ngrok and a custom tunnel: they print what the real tools
 * print when a tunnel comes up, then stay alive until signalled. Behaviour is chosen by env:
 *   FAKE_TUNNEL_RECORD=path        append {kind, pid, startedAt, argv, env} as a JSON line at start
 *   FAKE_TUNNEL_NO_URL=1           print everything but the public URL (the wait times out)
 *   FAKE_TUNNEL_NO_URL_IF=path     the same, but only when `path` exists
 *   FAKE_TUNNEL_URL_DELAY_MS=n     wait n ms before announcing (default 20)
 *   FAKE_TUNNEL_CRASH_AFTER_MS=n   exit 1 n ms after announcing
 *   FAKE_TUNNEL_CRASH_ONCE_FILE=p  crash only when p does not exist yet (then create it)
 *   FAKE_TUNNEL_IGNORE_SIGTERM=1   survive SIGTERM (only SIGKILL ends it)
 *   FAKE_TUNNEL_STREAM=stderr      custom only: announce on stderr instead of stdout
 */

const env = process.env;
const argv = process.argv.slice(2);
const pid = process.pid;
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** Runs the fake for `kind` ("cloudflared", "tailscale", "ngrok" or "custom"). */
export function runFakeTunnel(kind) {
  if (env.FAKE_TUNNEL_RECORD) {
    appendFileSync(
      env.FAKE_TUNNEL_RECORD,
      JSON.stringify({ kind, pid, startedAt: Date.now(), argv, env }) + '\n',
    );
  }
  if (env.FAKE_TUNNEL_IGNORE_SIGTERM === '1') {
    process.on('SIGTERM', () => {
      process.stderr.write('received SIGTERM, not stopping\n');
    });
  }
  // Keeps the event loop alive like a long-running tunnel client.
  setInterval(() => undefined, 60_000);
  const announce = OUTPUTS[kind];
  setTimeout(
    () => {
      const noUrl =
        env.FAKE_TUNNEL_NO_URL === '1' ||
        (env.FAKE_TUNNEL_NO_URL_IF !== undefined && existsSync(env.FAKE_TUNNEL_NO_URL_IF));
      announce(!noUrl);
      scheduleCrash();
    },
    Number(env.FAKE_TUNNEL_URL_DELAY_MS ?? 20),
  );
}

function scheduleCrash() {
  if (env.FAKE_TUNNEL_CRASH_AFTER_MS === undefined) return;
  const marker = env.FAKE_TUNNEL_CRASH_ONCE_FILE;
  if (marker !== undefined) {
    if (existsSync(marker)) return;
    writeFileSync(marker, String(pid));
  }
  setTimeout(() => {
    process.stderr.write('connection lost, exiting\n');
    process.exit(1);
  }, Number(env.FAKE_TUNNEL_CRASH_AFTER_MS));
}

const OUTPUTS = {
  cloudflared(withUrl) {
    const err = (line) => process.stderr.write(`${now()} ${line}\n`);
    if (argv.includes('run')) {
      err('INF Starting tunnel tunnelID=6ff42ae2-765d-4adf-8112-31c55c1551ef');
      err('INF Version 2024.11.1');
      if (env.TUNNEL_TOKEN === undefined) {
        err('ERR "cloudflared tunnel run" requires the ID or name of the tunnel');
        process.exit(1);
      }
      if (withUrl) {
        err(
          'INF Registered tunnel connection connIndex=0 connection=9c3a5e1f event=0 ip=198.41.200.13 location=ams01 protocol=quic',
        );
      }
      return;
    }
    err(
      'INF Thank you for trying Cloudflare Tunnel. Doing so, without a Cloudflare account, is a quick way to experiment and try it out. However, be aware that these account-less Tunnels have no uptime guarantee. If you intend to use Tunnels in production you should use a pre-created named tunnel by following: https://developers.cloudflare.com/cloudflare-one/connections/connect-apps',
    );
    err('INF Requesting new quick Tunnel on trycloudflare.com...');
    if (!withUrl) return;
    const url = `https://fake-${pid}-quick-tunnel.trycloudflare.com`;
    const width = 92;
    err(`INF +${'-'.repeat(width)}+`);
    err(
      `INF |${'  Your quick Tunnel has been created! Visit it at (it may take some time to be reachable):'.padEnd(width)}|`,
    );
    err(`INF |${`  ${url}`.padEnd(width)}|`);
    err(`INF +${'-'.repeat(width)}+`);
    err(`INF Version 2024.11.1`);
    err(
      `INF Registered tunnel connection connIndex=0 connection=1d4c event=0 ip=198.41.192.7 location=fra08 protocol=quic`,
    );
  },

  tailscale(withUrl) {
    const out = (line) => process.stdout.write(`${line}\n`);
    const funnel = argv[0] === 'funnel';
    out(funnel ? 'Available on the internet:' : 'Available within your tailnet:');
    out('');
    if (withUrl) out(`https://fake-${pid}.tail1a2b3c.ts.net/`);
    const target = argv[1] ?? '';
    out(`|-- / proxy ${/^\d+$/.test(target) ? `http://127.0.0.1:${target}` : target}`);
    out('');
    out('Press Ctrl+C to exit.');
  },

  ngrok(withUrl) {
    const log = (fields) =>
      process.stdout.write(
        JSON.stringify({ lvl: 'info', t: new Date().toISOString(), ...fields }) + '\n',
      );
    log({ msg: 'no configuration paths supplied', obj: 'config' });
    log({ msg: 'starting web service', obj: 'web', addr: '127.0.0.1:4040', allow_hosts: [] });
    log({ msg: 'client session established', obj: 'tunnels.session' });
    if (!withUrl) return;
    log({
      msg: 'started tunnel',
      obj: 'tunnels',
      name: 'command_line',
      addr: `http://${argv[1] ?? ''}`,
      url: `https://fake-${pid}.ngrok-free.app`,
    });
  },

  custom(withUrl) {
    const stream = env.FAKE_TUNNEL_STREAM === 'stderr' ? process.stderr : process.stdout;
    stream.write(`custom tunnel: forwarding to ${argv.join(' ')}\n`);
    if (withUrl) stream.write(`custom tunnel: public address https://fake-${pid}.tunnel.example\n`);
  },
};
