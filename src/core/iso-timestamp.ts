/** The whole second for which `secondPrefix` was made (epoch ms), and `YYYY-MM-DDTHH:MM:SS.`. */
let secondStartMs = Number.NaN;
let secondPrefix = '';

/**
 * `new Date(ms).toISOString()`, character for character, for every input. V8 formats each date
 * through `snprintf` (about 7,000 instructions a call on Node 20, two per saved turn); a busy
 * gateway stamps many times within one second, so the text up to the milliseconds is made once
 * per second and only the milliseconds are appended. Inputs the cache cannot represent (not a
 * whole millisecond, or a year outside 0000–9999, whose ISO form is longer) go to `toISOString`,
 * which also throws its RangeError for an invalid time.
 */
export function isoTimestamp(ms: number): string {
  const offset = ms - secondStartMs;
  if (offset >= 0 && offset < 1000 && Number.isInteger(offset)) {
    return secondPrefix + (offset < 10 ? '00' : offset < 100 ? '0' : '') + offset + 'Z';
  }
  const iso = new Date(ms).toISOString();
  if (iso.length === 24 && Number.isInteger(ms)) {
    secondStartMs = ms - Number(iso.slice(20, 23));
    secondPrefix = iso.slice(0, 20);
  }
  return iso;
}
