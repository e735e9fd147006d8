import { describe, expect, it } from 'vitest';
import { doctorConfig, doctorFacts } from '../test-support/doctor-facts.js';
import { checkFileSecrets } from './file-secrets.js';

describe('checkFileSecrets', () => {
  it('names the key and the env var, never the value', () => {
    const findings = checkFileSecrets(
      doctorConfig(),
      doctorFacts({
        fileSecrets: [{ key: 'providers.openai.api_key', env: 'GATEHOUSE_OPENAI_API_KEY' }],
      }),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      id: 'secret-in-config-file',
      severity: 'warning',
      key: 'providers.openai.api_key',
    });
    expect(findings[0]?.message).toContain('GATEHOUSE_OPENAI_API_KEY');
    expect(findings[0]?.fix).toContain('GATEHOUSE_OPENAI_API_KEY');
  });

  it('says nothing when the file holds no secret', () => {
    expect(checkFileSecrets(doctorConfig(), doctorFacts())).toEqual([]);
  });
});
