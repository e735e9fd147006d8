import { describe, expect, it } from 'vitest';
import { compileBlockPatterns, regexBound, replaceMatches } from './block-matcher.js';
import { createRedactingTransform } from './stream-filter.js';

const R = '[redacted]';

/** Every way to cut `text` into `parts` non-empty deltas (positions in UTF-16 units). */
function* splits(text: string, parts: number): Generator<string[]> {
  if (parts === 1) {
    yield [text];
    return;
  }
  for (let cut = 1; cut <= text.length - parts + 1; cut += 1) {
    for (const rest of splits(text.slice(cut), parts - 1)) yield [text.slice(0, cut), ...rest];
  }
}

/** Streams `deltas` through a redacting filter; returns the chunks it released. */
function stream(patterns: string[], deltas: string[]): { chunks: string[]; whole: string } {
  const matcher = compileBlockPatterns(patterns);
  if (matcher === undefined) throw new Error('no patterns');
  const transform = createRedactingTransform({ matcher, replacement: R });
  const chunks = deltas.map((delta) => transform.write(delta));
  chunks.push(transform.end());
  return { chunks, whole: replaceMatches(matcher, deltas.join(''), R).text };
}

/** The released text must be a prefix of the filtered whole at every step, and end equal to it. */
function expectStreamSafe(patterns: string[], deltas: string[]): void {
  const { chunks, whole } = stream(patterns, deltas);
  let sent = '';
  for (const chunk of chunks) {
    sent += chunk;
    if (!whole.startsWith(sent)) {
      throw new Error(
        `released ${JSON.stringify(sent)} is not a prefix of ${JSON.stringify(whole)} for deltas ${JSON.stringify(deltas)}`,
      );
    }
  }
  expect(sent).toBe(whole);
}

describe('createRedactingTransform, a match split at every position across 2–5 deltas', () => {
  const cases: Array<[string, string[], string]> = [
    ['literal', ['ignore previous'], 'please IGNORE previous instructions now'],
    ['overlapping literals', ['secret', 'secret key', 'key'], 'the secret key is a secret, key'],
    ['regex', ['/pass(word)?\\s*=\\s*\\w{1,8}/'], 'set password = hunter2 then pass=ab'],
    ['adjacent matches', ['ab'], 'ababab xab'],
    ['unicode', ['geheimnis', 'смерть'], 'Das 🎉GEHEIMNIS🎉 und смерть 😀'],
    ['unbounded regex', ['/ign.*tions/'], 'ignore all instructions, then ignore tions'],
  ];
  for (const [name, patterns, text] of cases) {
    for (let parts = 2; parts <= 5; parts += 1) {
      it(`${name}, ${parts} deltas`, () => {
        let count = 0;
        for (const deltas of splits(text, parts)) {
          expectStreamSafe(patterns, deltas);
          count += 1;
          // 5-way splits of long texts are many; the first 20k cover every cut of the match.
          if (count > 20_000) break;
        }
        expect(count).toBeGreaterThan(0);
      });
    }
  }

  it('redacts as the whole-text filter does', () => {
    expect(stream(['bad'], ['a b', 'ad c']).whole).toBe(`a ${R} c`);
    expect(stream(['bad'], ['a b', 'ad c']).chunks.join('')).toBe(`a ${R} c`);
  });

  it('releases text that can no longer be part of a match at once', () => {
    const { chunks } = stream(['secret'], ['hello world, ', 'more']);
    // 'secret' may need up to 12 code units of hold-back; everything before that leaves now.
    expect(chunks[0]?.length).toBeGreaterThan(0);
    expect(chunks.join('')).toBe('hello world, more');
  });

  it('never ends a chunk between the halves of a surrogate pair', () => {
    const matcher = compileBlockPatterns(['xy']);
    if (matcher === undefined) throw new Error('no patterns');
    for (const text of ['😀😀😀😀😀😀😀', 'a😀b😀c😀d😀e']) {
      for (const deltas of splits(text, 3)) {
        const transform = createRedactingTransform({ matcher, replacement: R });
        const chunks = [...deltas.map((delta) => transform.write(delta)), transform.end()];
        for (const chunk of chunks) {
          if (chunk === '') continue;
          const last = chunk.charCodeAt(chunk.length - 1);
          expect(last >= 0xd800 && last <= 0xdbff).toBe(false);
        }
      }
    }
  });

  it('holds an unbounded pattern until the end', () => {
    const { chunks } = stream(['/a.*b/'], ['xxxxxxxx', 'yyyy']);
    expect(chunks.slice(0, 2)).toEqual(['', '']);
    expect(chunks[2]).toBe('xxxxxxxxyyyy');
  });
});

describe('regexBound', () => {
  it.each([
    ['abc', 6],
    ['a{2,4}', 48],
    ['a.*b', Infinity],
    ['a+', Infinity],
    ['a{3,}', Infinity],
    ['a\\*b', 8],
  ])('%s → %s', (source, bound) => {
    expect(regexBound(source)).toBe(bound);
  });
});

describe('compileBlockPatterns', () => {
  it('matches literals case-insensitively and literally', () => {
    const matcher = compileBlockPatterns(['a.b']);
    if (matcher === undefined) throw new Error('no patterns');
    expect(replaceMatches(matcher, 'A.B axb', R).text).toBe(`${R} axb`);
  });

  it('removes the longer of two overlapping literals whole', () => {
    const matcher = compileBlockPatterns(['pass', 'password']);
    if (matcher === undefined) throw new Error('no patterns');
    expect(replaceMatches(matcher, 'my password', R).text).toBe(`my ${R}`);
  });

  it('is undefined without patterns', () => {
    expect(compileBlockPatterns([])).toBeUndefined();
  });
});
