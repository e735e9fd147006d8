import { describe, expect, it } from 'vitest';
import { uncommentTemplateKey } from './commented-key.js';

describe('uncommentTemplateKey', () => {
  it.each([
    {
      label: 'commented header and key',
      text: '#[gateway]\n# doc\n#port = 3000\n#paired_tokens = []\n#[tunnel]\n',
      expected: '[gateway]\n# doc\n#port = 3000\npaired_tokens = []\n#[tunnel]\n',
    },
    {
      label: 'real header and commented key',
      text: '[gateway]\nport = 1\n#paired_tokens = []\n',
      expected: '[gateway]\nport = 1\npaired_tokens = []\n',
    },
    {
      label: 'CRLF line endings',
      text: '#[gateway]\r\n#paired_tokens = []\r\n',
      expected: '[gateway]\r\npaired_tokens = []\r\n',
    },
    {
      label: 'key commented in another section only',
      text: '#[gateway]\n#port = 1\n#[tunnel]\n#paired_tokens = []\n',
      expected: '#[gateway]\n#port = 1\n#[tunnel]\n#paired_tokens = []\n',
    },
    {
      label: 'an example value, not the empty default',
      text: '[gateway]\n# paired_tokens = ["abc"]\n',
      expected: '[gateway]\n# paired_tokens = ["abc"]\n',
    },
    {
      label: 'no gateway section',
      text: '[memory]\n#paired_tokens = []\n',
      expected: '[memory]\n#paired_tokens = []\n',
    },
    {
      label: 'a sub-table header that only starts like the table',
      text: '#[gateway.auth]\n#paired_tokens = []\n',
      expected: '#[gateway.auth]\n#paired_tokens = []\n',
    },
  ])('$label', ({ text, expected }) => {
    expect(uncommentTemplateKey(text, 'gateway', 'paired_tokens')).toBe(expected);
  });
});
