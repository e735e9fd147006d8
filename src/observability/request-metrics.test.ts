import { describe, expect, it } from 'vitest';
import { createRequestMetrics } from './request-metrics.js';

const metrics = () => createRequestMetrics({ prefix: 'gh_', buckets: [0.01, 0.1, 1] });

describe('createRequestMetrics', () => {
  it('counts requests per route, method and status', () => {
    const m = metrics();
    m.record('/a', 'GET', 200, 1);
    m.record('/a', 'GET', 200, 1);
    m.record('/a', 'POST', 200, 1);
    m.record('/a', 'GET', 503, 1);
    const text = m.render();
    expect(text).toContain('# TYPE gh_http_requests_total counter\n');
    expect(text).toContain('gh_http_requests_total{route="/a",method="GET",status="200"} 2\n');
    expect(text).toContain('gh_http_requests_total{route="/a",method="POST",status="200"} 1\n');
    expect(text).toContain('gh_http_requests_total{route="/a",method="GET",status="503"} 1\n');
  });

  it('renders cumulative buckets; a value on a bound falls in that bucket', () => {
    const m = metrics();
    for (const ms of [5, 10, 10.5, 100, 2000]) m.record('/a', 'GET', 200, ms);
    const lines = m
      .render()
      .split('\n')
      .filter((line) => line.startsWith('gh_request_latency_seconds'));
    expect(lines).toEqual([
      'gh_request_latency_seconds_bucket{le="0.01",route="/a"} 2',
      'gh_request_latency_seconds_bucket{le="0.1",route="/a"} 4',
      'gh_request_latency_seconds_bucket{le="1",route="/a"} 4',
      'gh_request_latency_seconds_bucket{le="+Inf",route="/a"} 5',
      `gh_request_latency_seconds_sum{route="/a"} ${(5 + 10 + 10.5 + 100 + 2000) / 1000}`,
      'gh_request_latency_seconds_count{route="/a"} 5',
    ]);
    expect(m.render()).toContain('# TYPE gh_request_latency_seconds histogram\n');
  });

  it('keeps one histogram per route whatever the method or status', () => {
    const m = metrics();
    m.record('/a', 'GET', 200, 1);
    m.record('/a', 'POST', 404, 1);
    m.record('/b', 'GET', 200, 1);
    const text = m.render();
    expect(text).toContain('gh_request_latency_seconds_count{route="/a"} 2\n');
    expect(text).toContain('gh_request_latency_seconds_count{route="/b"} 1\n');
  });

  it('renders only the headers before the first request', () => {
    expect(metrics().render()).toBe(
      [
        '# HELP gh_http_requests_total HTTP requests by route pattern, method and status',
        '# TYPE gh_http_requests_total counter',
        '',
        '# HELP gh_request_latency_seconds HTTP request latency by route pattern',
        '# TYPE gh_request_latency_seconds histogram',
        '',
      ].join('\n'),
    );
  });

  it('escapes label values (see plain-metrics.test.ts for every case)', () => {
    const m = metrics();
    m.record('a"b', 'GET', 200, 1);
    expect(m.render()).toContain('{route="a\\"b",method="GET",status="200"} 1');
  });
});
