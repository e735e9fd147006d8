import { describe, expect, it } from 'vitest';
import { findNgrokUrl, ngrokLaunch } from './ngrok.js';

describe('ngrokLaunch', () => {
  it('forwards http to the bound address with JSON logs on stdout', () => {
    const launch = ngrokLaunch({}, { host: '0.0.0.0', port: 8080 });
    expect(launch.binary).toBe('ngrok');
    expect(launch.args).toEqual([
      'http',
      '127.0.0.1:8080',
      '--log',
      'stdout',
      '--log-format',
      'json',
    ]);
    expect(launch.env).toEqual({});
  });

  it('passes the auth token in NGROK_AUTHTOKEN, never on argv', () => {
    const token = '2abcDEFghiJKLmnoPQRstuVWXyz_0123456789abcdefGHIJ';
    const launch = ngrokLaunch(
      { auth_token: token, binary: '/opt/ngrok' },
      { host: '::1', port: 7 },
    );
    expect(launch.binary).toBe('/opt/ngrok');
    expect(launch.args[1]).toBe('[::1]:7');
    expect(launch.args.join(' ')).not.toContain(token);
    expect(launch.env).toEqual({ NGROK_AUTHTOKEN: token });
  });
});

describe('findNgrokUrl', () => {
  it.each([
    [
      '{"addr":"http://127.0.0.1:8080","lvl":"info","msg":"started tunnel","name":"command_line","obj":"tunnels","t":"2026-12-02T19:00:00.000Z","url":"https://1a2b-203-0-113-7.ngrok-free.app"}',
      'https://1a2b-203-0-113-7.ngrok-free.app',
    ],
    ['  {"msg":"started tunnel","url":"https://x.ngrok.app/"}  ', 'https://x.ngrok.app'],
  ])('finds the url in %j', (line, expected) => {
    expect(findNgrokUrl(line)).toBe(expected);
  });

  it.each([
    '{"lvl":"info","msg":"starting web service","obj":"web","addr":"127.0.0.1:4040","allow_hosts":[]}',
    '{"lvl":"info","msg":"client session established","obj":"tunnels.session"}',
    '{"msg":"started tunnel","url":"tcp://0.tcp.ngrok.io:12345"}',
    '{"msg":"started tunnel"}',
    '{"msg":"started tunnel","url":42}',
    '{"msg":"started tunnel",',
    't=2026-12-02T19:00:00+0000 lvl=info msg="started tunnel" url=https://x.ngrok.app',
    'ERROR:  authentication failed: Usage of ngrok requires a verified account and authtoken.',
  ])('finds nothing in %j', (line) => {
    expect(findNgrokUrl(line)).toBeUndefined();
  });
});
