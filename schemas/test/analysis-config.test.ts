import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { analysisConfigSchema } from '../src/analysis-config.js';
import { DEFAULT_ANALYSIS_CONFIG } from '../src/vocabulary.js';

describe('the analysis settings defaults', () => {
  it('are exactly what the schema gives for no settings', () => {
    expect(analysisConfigSchema.parse({})).toStrictEqual(DEFAULT_ANALYSIS_CONFIG);
  });

  it('cover every setting: each one has a default', () => {
    const optional = Object.entries(analysisConfigSchema.shape)
      .filter(([, setting]) => !(setting instanceof z.ZodDefault))
      .map(([key]) => key);
    expect(optional).toEqual([]);
    expect(Object.keys(DEFAULT_ANALYSIS_CONFIG).sort()).toEqual(Object.keys(analysisConfigSchema.shape).sort());
  });

  it('are frozen through and through, and a parse gives the caller its own copy', () => {
    expect(Object.isFrozen(DEFAULT_ANALYSIS_CONFIG)).toBe(true);
    expect(Object.isFrozen(DEFAULT_ANALYSIS_CONFIG.probeUsers)).toBe(true);
    expect(Object.isFrozen(DEFAULT_ANALYSIS_CONFIG.domains)).toBe(true);
    const parsed = analysisConfigSchema.parse({});
    parsed.probeUsers.push('another');
    expect(DEFAULT_ANALYSIS_CONFIG.probeUsers).toEqual(['DAProbeUser']);
  });
});
