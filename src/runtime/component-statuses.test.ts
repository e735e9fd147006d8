import { describe, expect, it } from 'vitest';
import { componentStatuses } from './component-statuses.js';
import { createHealthRegistry } from './health-registry.js';

describe('componentStatuses', () => {
  it('flattens components and sub-components by dotted name', () => {
    const health = createHealthRegistry({ components: ['gateway', 'channels'] });
    health.report('gateway', 'ok');
    health.report('channels.slack', 'error');
    expect(componentStatuses(health)).toEqual({
      gateway: 'ok',
      channels: 'error',
      'channels.slack': 'error',
    });
  });
});
