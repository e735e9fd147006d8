import { describe, expect, it } from 'vitest';
import { createCounterFamily, createHistogramFamily, escapeLabelValue } from './plain-metrics.js';

const counter = () =>
  createCounterFamily({ name: 'x_total', help: 'Things', labelNames: ['a', 'b'] });
const histogram = () =>
  createHistogramFamily({ name: 'x_seconds', help: 'Time', labelNames: ['a'], buckets: [0.1, 1] });

describe('createCounterFamily', () => {
  it('renders HELP and TYPE, then one line per series with its count', () => {
    const family = counter();
    family.child('1', '2').inc();
    family.child('1', '2').inc(4);
    family.child('1', '3').inc();
    expect(family.render()).toBe(
      [
        '# HELP x_total Things',
        '# TYPE x_total counter',
        'x_total{a="1",b="2"} 5',
        'x_total{a="1",b="3"} 1',
        '',
      ].join('\n'),
    );
  });

  it('returns the same series for the same label values', () => {
    const family = counter();
    expect(family.child('p', 'q')).toBe(family.child('p', 'q'));
  });

  it('keeps label values apart that would run together when concatenated', () => {
    const family = counter();
    family.child('a', 'bc').inc();
    family.child('ab', 'c').inc(2);
    const text = family.render();
    expect(text).toContain('x_total{a="a",b="bc"} 1\n');
    expect(text).toContain('x_total{a="ab",b="c"} 2\n');
  });

  it('renders only HELP and TYPE before the first update', () => {
    expect(counter().render()).toBe('# HELP x_total Things\n# TYPE x_total counter\n');
  });

  it.each([[-1], [Number.NaN]])('refuses to count %d', (amount) => {
    const series = counter().child('1', '2');
    expect(() => series.inc(amount)).toThrow(/only goes up/);
  });

  it.each([[['1']], [['1', '2', '3']]])('refuses %j label values for two label names', (values) => {
    expect(() => counter().child(...values)).toThrow(/expected 2 label values/);
  });
});

describe('createHistogramFamily', () => {
  it('renders cumulative buckets with le first; a value on a bound falls in that bucket', () => {
    const family = histogram();
    for (const value of [0.05, 0.1, 0.5, 2]) family.child('r').observe(value);
    expect(family.render()).toBe(
      [
        '# HELP x_seconds Time',
        '# TYPE x_seconds histogram',
        'x_seconds_bucket{le="0.1",a="r"} 2',
        'x_seconds_bucket{le="1",a="r"} 3',
        'x_seconds_bucket{le="+Inf",a="r"} 4',
        `x_seconds_sum{a="r"} ${0.05 + 0.1 + 0.5 + 2}`,
        'x_seconds_count{a="r"} 4',
        '',
      ].join('\n'),
    );
  });

  it('renders a family without labels without braces', () => {
    const family = createHistogramFamily({ name: 'y', help: 'Y', labelNames: [], buckets: [1] });
    family.child().observe(3);
    expect(family.render()).toBe(
      [
        '# HELP y Y',
        '# TYPE y histogram',
        'y_bucket{le="1"} 0',
        'y_bucket{le="+Inf"} 1',
        'y_sum 3',
        'y_count 1',
        '',
      ].join('\n'),
    );
  });
});

describe('escapeLabelValue', () => {
  it.each([
    ['/plain', '/plain'],
    ['a"b', 'a\\"b'],
    ['a\\b', 'a\\\\b'],
    ['a\nb', 'a\\nb'],
  ])('escapes %j as %j, in rendered series too', (value, escaped) => {
    expect(escapeLabelValue(value)).toBe(escaped);
    const family = counter();
    family.child(value, 'x').inc();
    expect(family.render()).toContain(`x_total{a="${escaped}",b="x"} 1\n`);
  });
});
