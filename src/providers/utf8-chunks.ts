import { StringDecoder } from 'node:string_decoder';

/** Decodes a UTF-8 byte stream one chunk at a time. */
export interface Utf8ChunkDecoder {
  write(chunk: Uint8Array): string;
  /** What is left at the end of the stream (an incomplete sequence becomes U+FFFD). */
  end(): string;
}

const BYTE_ORDER_MARK = 0xfeff;

/**
 * Gives what `TextDecoder` with `{ stream: true }` gives: a leading byte order mark dropped, a
 * character split across chunks kept whole, invalid bytes as U+FFFD. A chunk that ends on an
 * ASCII byte cannot end inside a character, so while nothing is pending it is decoded by
 * `Buffer#toString`; on Node 20 TextDecoder goes through ICU, several times slower for the
 * short chunks of a streamed reply. From the first chunk that ends inside a character on,
 * Node's StringDecoder carries the partial bytes.
 */
export function createUtf8ChunkDecoder(): Utf8ChunkDecoder {
  let carrier: StringDecoder | undefined;
  let started = false;
  function dropByteOrderMark(text: string): string {
    if (started || text === '') return text;
    started = true;
    return text.charCodeAt(0) === BYTE_ORDER_MARK ? text.slice(1) : text;
  }
  return {
    write(chunk) {
      const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const last = bytes.length === 0 ? 0 : (bytes[bytes.length - 1] as number);
      if (carrier === undefined && last < 0x80) return dropByteOrderMark(bytes.toString('utf8'));
      carrier ??= new StringDecoder('utf8');
      return dropByteOrderMark(carrier.write(bytes));
    },
    end() {
      return dropByteOrderMark(carrier?.end() ?? '');
    },
  };
}
