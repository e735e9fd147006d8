import { describe, expect, it } from 'vitest';
import { createUtf8ChunkDecoder } from './utf8-chunks.js';

/** What TextDecoder makes of the same chunks: the reference behaviour. */
function textDecoderOf(chunks: readonly Uint8Array[]): string {
  const decoder = new TextDecoder();
  return chunks.map((chunk) => decoder.decode(chunk, { stream: true })).join('') + decoder.decode();
}

function decodedOf(chunks: readonly Uint8Array[]): string {
  const decoder = createUtf8ChunkDecoder();
  return chunks.map((chunk) => decoder.write(chunk)).join('') + decoder.end();
}

/** Every way of cutting `bytes` in two, and into single bytes. */
function splits(bytes: Uint8Array): Uint8Array[][] {
  const cuts: Uint8Array[][] = [];
  for (let at = 0; at <= bytes.length; at += 1)
    cuts.push([bytes.subarray(0, at), bytes.subarray(at)]);
  cuts.push([...bytes].map((byte) => Uint8Array.of(byte)));
  return cuts;
}

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);
const BOM = [0xef, 0xbb, 0xbf];

describe('createUtf8ChunkDecoder', () => {
  it.each([
    ['ASCII SSE lines', bytesOf('data: {"a":1}\n\ndata: [DONE]\n\n')],
    ['two-, three- and four-byte characters', bytesOf('é€😀 après\n')],
    ['a character at the very end', bytesOf('data: 😀')],
    ['a leading byte order mark', Uint8Array.from([...BOM, ...bytesOf('data: x\n')])],
    ['a byte order mark not at the start', bytesOf('data: \uFEFFx\n')],
    ['invalid bytes', Uint8Array.from([0x64, 0xff, 0x61, 0xc3, 0x28, 0x0a])],
    ['a truncated sequence at the end', Uint8Array.from([0x61, 0xe2, 0x82])],
    ['nothing', new Uint8Array(0)],
  ])('decodes %s as TextDecoder does, however the bytes are cut', (_name, bytes) => {
    for (const chunks of splits(bytes)) {
      expect(decodedOf(chunks)).toBe(textDecoderOf(chunks));
    }
  });

  it('keeps a character split across chunks whole', () => {
    const decoder = createUtf8ChunkDecoder();
    const euro = bytesOf('€');
    expect(decoder.write(Uint8Array.of(0x61, ...euro.subarray(0, 2)))).toBe('a');
    expect(decoder.write(Uint8Array.of(...euro.subarray(2), 0x0a))).toBe('€\n');
    expect(decoder.end()).toBe('');
  });

  it('decodes a view into a larger buffer by its own bytes only', () => {
    const whole = bytesOf('xxdata: yxx');
    expect(decodedOf([whole.subarray(2, 9)])).toBe('data: y');
  });
});
