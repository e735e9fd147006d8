import { describe, expect, it } from 'vitest';
import { createEdgePolicy } from './edge-policy.js';

function gatewaySection(allowedHosts: string[], publicUrl?: string) {
  return {
    trusted_proxies: [] as string[],
    trust_forwarded_headers: false,
    allowed_hosts: allowedHosts,
    ...(publicUrl === undefined ? {} : { public_url: publicUrl }),
  };
}

describe('createEdgePolicy after a reload', () => {
  it('answers a name added to allowed_hosts once refreshed, and refuses a removed one', () => {
    const gateway = gatewaySection(['old.example']);
    const edge = createEdgePolicy({ gateway, boundAddress: '127.0.0.1' });
    expect(edge.isHostAllowed('old.example')).toBe(true);
    expect(edge.isHostAllowed('new.example')).toBe(false);
    // A reload refills the array in place, then runs refresh().
    gateway.allowed_hosts.splice(0, 1, 'new.example');
    edge.refresh();
    expect(edge.isHostAllowed('new.example')).toBe(true);
    expect(edge.isHostAllowed('old.example')).toBe(false);
    expect(edge.isHostAllowed('127.0.0.1:3000')).toBe(true);
  });

  it('follows public_url on every check, for the Host header and the allowed origins', () => {
    const gateway: { public_url?: string } & ReturnType<typeof gatewaySection> = gatewaySection([]);
    const edge = createEdgePolicy({ gateway, boundAddress: '127.0.0.1' });
    expect(edge.isHostAllowed('agent.example.com')).toBe(false);
    expect(edge.publicOrigins()).toEqual([]);
    gateway.public_url = 'https://agent.example.com/chat';
    expect(edge.isHostAllowed('agent.example.com')).toBe(true);
    expect(edge.publicOrigins()).toEqual(['https://agent.example.com']);
    delete gateway.public_url;
    expect(edge.isHostAllowed('agent.example.com')).toBe(false);
  });

  it('trusts a proxy added to trusted_proxies once refreshed, and stops trusting a removed one', () => {
    const gateway = gatewaySection([]);
    const edge = createEdgePolicy({ gateway, boundAddress: '127.0.0.1' });
    const { isTrustedProxy } = edge;
    expect(isTrustedProxy('10.0.0.5')).toBe(false);
    gateway.trusted_proxies.push('10.0.0.0/24');
    expect(isTrustedProxy('10.0.0.5')).toBe(false);
    edge.refresh();
    // Holders keep the function they took at start; it follows the refresh.
    expect(isTrustedProxy('10.0.0.5')).toBe(true);
    gateway.trusted_proxies.splice(0);
    edge.refresh();
    expect(isTrustedProxy('10.0.0.5')).toBe(false);
  });

  it('follows trust_forwarded_headers once refreshed', () => {
    const gateway = gatewaySection([]);
    const edge = createEdgePolicy({ gateway, boundAddress: '127.0.0.1' });
    expect(edge.isTrustedProxy('127.0.0.1')).toBe(false);
    gateway.trust_forwarded_headers = true;
    edge.refresh();
    expect(edge.isTrustedProxy('127.0.0.1')).toBe(true);
    gateway.trust_forwarded_headers = false;
    edge.refresh();
    expect(edge.isTrustedProxy('127.0.0.1')).toBe(false);
  });
});
