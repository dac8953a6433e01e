import { describe, expect, it } from 'vitest';
import { offlineAttempts, scenarioFiles, scenarioNames, shiftedCorpus, verdicts } from './ports.js';

describe('shiftedCorpus', () => {
  it('keeps every scenario apart: the whole shifted corpus analyses to the sum of the scenarios', () => {
    const names = scenarioNames();
    const perScenario = names.map((name) => verdicts(offlineAttempts(scenarioFiles(name))));
    const whole = offlineAttempts(shiftedCorpus(names));
    expect(whole.length).toBe(perScenario.reduce((n, v) => n + v.length, 0));
    const strip = (v: ReturnType<typeof verdicts>) =>
      v.map(({ outcome, failedStage, rootCause }) => `${outcome}/${failedStage}/${rootCause}`).sort();
    expect(strip(verdicts(whole))).toEqual(strip(perScenario.flat()));
  });
});
