import { describe, expect, it } from 'vitest';
import { describeErrorBody, parseUpstreamError } from './error-body.js';

describe('parseUpstreamError', () => {
  it.each([
    {
      case: 'an OpenAI-compatible error object',
      body: {
        error: { message: 'bad key', type: 'invalid_request_error', code: 'invalid_api_key' },
      },
      detail: { label: 'invalid_api_key', message: 'bad key' },
    },
    {
      case: 'a numeric code (OpenRouter)',
      body: { error: { message: 'upstream died', code: 502 } },
      detail: { label: '502', message: 'upstream died' },
    },
    {
      case: 'an Anthropic error event',
      body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
      detail: { label: 'overloaded_error', message: 'Overloaded' },
    },
    {
      case: 'a plain string (Ollama)',
      body: { error: 'model not found' },
      detail: { message: 'model not found' },
    },
    {
      case: 'an error object without code or type',
      body: { error: { message: 'only a message' } },
      detail: { label: undefined, message: 'only a message' },
    },
  ])('reads $case', ({ body, detail }) => {
    expect(parseUpstreamError(body)).toEqual(detail);
  });

  it.each([
    { case: 'a stream chunk', body: { choices: [{ delta: { content: 'hi' } }] } },
    { case: 'an error key holding null', body: { error: null } },
    { case: 'an error key holding undefined', body: { error: undefined } },
    { case: 'an error key holding a number', body: { error: 42 } },
    { case: 'an error object with a non-string message', body: { error: { message: 7 } } },
    { case: 'an array', body: [{ error: 'x' }] },
    { case: 'a string', body: 'error' },
    { case: 'null', body: null },
    { case: 'a number', body: 500 },
  ])('finds no error in $case', ({ body }) => {
    expect(parseUpstreamError(body)).toBeUndefined();
  });
});

describe('describeErrorBody', () => {
  it.each([
    { case: 'a JSON error body', text: '{"error":"quota"}', detail: { message: 'quota' } },
    { case: 'an HTML page', text: ' <html>502</html>\n', detail: { message: '<html>502</html>' } },
    {
      case: 'JSON of another shape',
      text: '{"detail":"x"}',
      detail: { message: '{"detail":"x"}' },
    },
    { case: 'an empty body', text: '  ', detail: {} },
  ])('describes $case', ({ text, detail }) => {
    expect(describeErrorBody(text)).toEqual(detail);
  });
});
