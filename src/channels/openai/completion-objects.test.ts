import { describe, expect, it } from 'vitest';
import { chunkObject, contentChunkEncoder } from './completion-objects.js';
import type { CompletionIdentity } from './completion-objects.js';

const identities: CompletionIdentity[] = [
  { id: 'chatcmpl-0190b6f2-1c2d-7e3f-8a9b-0c1d2e3f4a5b', created: 1_700_000_000, model: 'default' },
  { id: 'chatcmpl-x', created: 0, model: 'a "quoted" model' },
  { id: 'chatcmpl-"content":""', created: 1, model: '"content":""' },
  { id: 'chatcmpl-y', created: 2, model: 'ünïcødé \u2028 \\ model' },
];

const contents = [
  '',
  'Hello',
  ' from the model.',
  'quotes " and \\ backslashes',
  'new\nlines\r\tand\u0000controls',
  '"content":""',
  'emoji 😀 and a lone surrogate \ud800',
  '},"logprobs":null,"finish_reason":"stop"}]}',
];

describe('contentChunkEncoder', () => {
  for (const identity of identities) {
    it(`encodes every content as the chunk object would be serialized (model ${JSON.stringify(identity.model)})`, () => {
      const encode = contentChunkEncoder(identity);
      for (const content of contents) {
        expect(encode(content)).toBe(JSON.stringify(chunkObject(identity, { content }, null)));
        expect(JSON.parse(encode(content))).toMatchObject({
          id: identity.id,
          model: identity.model,
          choices: [{ delta: { content } }],
        });
      }
    });
  }

  it('keeps the identity it was made with', () => {
    const identity = { ...identities[0] } as CompletionIdentity;
    const encode = contentChunkEncoder(identity);
    identity.model = 'changed';
    expect(JSON.parse(encode('x'))).toMatchObject({ model: 'default' });
  });
});
