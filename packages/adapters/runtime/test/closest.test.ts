import { describe, expect, it } from 'vitest';
import { closest } from '../src/args.js';

describe('closest: the suggestion after an unknown command or option', () => {
  const commands = ['analyze', 'generate', 'pipeline', 'stats', 'db', 'report'];
  it('names the word a typo was meant to be: a letter wrong, missing, extra, or two swapped', () => {
    expect(closest('analyse', commands)).toBe('analyze');
    expect(closest('anlyze', commands)).toBe('analyze');
    expect(closest('analyzee', commands)).toBe('analyze');
    expect(closest('naalyze', commands)).toBe('analyze');
    expect(closest('STATS', commands)).toBe('stats');
    expect(closest('fromat', ['format', 'out', 'jobs'])).toBe('format');
  });

  it('names none when nothing is near, a short word is more than one edit off, or two are as near', () => {
    expect(closest('frobnicate', commands)).toBeNull();
    expect(closest('bogus', ['format', 'out', 'jobs', 'quiet'])).toBeNull();
    expect(closest('ab', ['db'])).toBe('db');
    expect(closest('xy', ['db'])).toBeNull();
    expect(closest('cat', ['bat', 'hat'])).toBeNull();
  });
});
