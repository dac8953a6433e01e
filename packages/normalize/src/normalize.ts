import type { ParsedEvent } from '@otptrace/model';
import type { AnalysisConfig } from '@otptrace/schemas';
import { IdentityResolver } from './identity.js';
import { ignored, type NormalizeContext, type Normalized, rejected } from './outcome.js';
import { classify } from './source-table.js';

/** Build the context the source mappers share, from the analysis configuration. */
export function createNormalizeContext(
  config: Pick<AnalysisConfig, 'domains' | 'probeUsers' | 'otpTemplatePattern'>,
): NormalizeContext {
  return { identity: new IdentityResolver(config), otpTemplate: new RegExp(config.otpTemplatePattern, 'i') };
}

/** ② Map one parsed event to a normalised event of its source, or say why it is dropped. */
export function normalizeEvent(p: ParsedEvent, ctx: NormalizeContext): Normalized {
  const c = classify(p.provider, p.eventId, p.channel);
  if (c.kind === 'unrelated') return ignored('unrelated_event');
  if (c.kind === 'unknown_provider') return rejected('unknown_provider', c.message, 'System.Provider.Name');
  return c.mapper(p, ctx);
}
