import type { ParsedEvent } from '@otptrace/model';
import type { NormalizeContext, Normalized } from './outcome.js';
import { normalizeCaApplication, normalizeCaAudit } from './sources/adcs.js';
import { normalizeClient } from './sources/client.js';
import { normalizeIis } from './sources/iis.js';
import { normalizeNpsClientError, normalizeNpsDecision, normalizeNpsDirectory } from './sources/nps.js';

/** A mapper from a parsed event of one provider to a normalised event. */
type Mapper = (p: ParsedEvent, ctx: NormalizeContext) => Normalized;

interface ProviderEntry {
  /** Event IDs this provider writes that take part in an OTP logon, with their mapper. */
  readonly events: ReadonlyMap<number, Mapper>;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const entry = (ids: number[], mapper: Mapper): ProviderEntry => ({ events: new Map(ids.map((id) => [id, mapper])) });

// Provider names and GUIDs: docs/windows-events.md §2.1–§2.4. Names are matched case-insensitively.
const SECURITY: ProviderEntry = {
  events: new Map<number, Mapper>([
    ...[6272, 6273, 6274].map((id): [number, Mapper] => [id, normalizeNpsDecision]),
    ...[4886, 4887, 4888, 4889].map((id): [number, Mapper] => [id, normalizeCaAudit]),
  ]),
};
const CA_APP = entry([53, 21, 22, 54], normalizeCaApplication);
// NPS's System log (classic source NPS, IAS before Server 2008): 4402 no DC; 13/14/17/18 a refused RADIUS client.
const NPS_SYSTEM: ProviderEntry = {
  events: new Map<number, Mapper>([
    [4402, normalizeNpsDirectory],
    ...[13, 14, 17, 18].map((id): [number, Mapper] => [id, normalizeNpsClientError]),
  ]),
};

const PROVIDERS: ReadonlyMap<string, ProviderEntry> = new Map([
  ['microsoft-windows-otpcredentialproviderevt', entry(range(10000, 10022), normalizeClient)],
  ['microsoft-windows-iis-logging', entry([6200], normalizeIis)],
  ['microsoft-windows-security-auditing', SECURITY],
  ['nps', NPS_SYSTEM],
  ['ias', NPS_SYSTEM],
  ['microsoft-windows-certificationauthority', CA_APP],
  // Legacy event source names of the CA service in older renderings.
  ['certificationauthority', CA_APP],
  ['certsvc', CA_APP],
]);

// Channels that only OTP sources write to: an OTP event ID there from another provider is suspicious, not noise.
const OTP_CHANNELS = new Set(['microsoft-windows-otpcredentialprovider/operational', 'microsoft-iis-logging/logs']);
const SECURITY_OTP_IDS = new Set([6272, 6273, 6274, 4886, 4887, 4888, 4889]);

const CS_METHOD = Buffer.from('cs-method');
const POST = Buffer.from('POST');

/**
 * Drop an IIS 6200 that is not a POST from its bytes, before any parse: the OTP sign-in is a POST (MS-OTPCE §1.4) and
 * the DA server's sites log many other requests. Null when the event must be parsed (a POST, or a shape not
 * recognised here, which the mapper then judges).
 */
export function prefilterIisBytes(bytes: Buffer, start = 0, end = bytes.length): 'gateway_other_request' | null {
  // The event is bytes[start, end): what is found at or past `end` is not in it.
  const at = bytes.indexOf(CS_METHOD, start);
  if (at < 0 || at + CS_METHOD.length > end) return null;
  const gt = bytes.indexOf(0x3e, at); // '>' ending <Data Name="cs-method">
  if (gt < 0 || gt >= end || gt - at > 16 || bytes[gt - 1] === 0x2f) return null;
  const lt = bytes.indexOf(0x3c, gt); // '<' of </Data>
  if (lt < 0 || lt >= end || lt - gt > 16) return null;
  // HTTP methods are upper case as clients send them; compared without case all the same.
  return lt - gt - 1 === POST.length && bytes.toString('latin1', gt + 1, lt).toUpperCase() === 'POST'
    ? null
    : 'gateway_other_request';
}

/** How an event header is classified before any full parse. */
export type Classification =
  | { readonly kind: 'relevant'; readonly mapper: Mapper }
  | { readonly kind: 'unrelated' }
  | { readonly kind: 'unknown_provider'; readonly message: string };

/** Decide from provider, event ID and channel whether an event matters, cheaply (most of a Security log does not). */
export function classify(
  provider: string,
  eventId: number,
  channel: string | (() => string) | { readonly channel: string },
): Classification {
  // A log repeats one provider event after event: its entry is found once, not by lower-casing every event's name.
  if (provider !== lastProvider) {
    lastEntry = entryOf(provider);
    lastProvider = provider;
  }
  const known = lastEntry;
  const mapper = known?.events.get(eventId);
  if (mapper !== undefined) return relevant(mapper);
  if (known === undefined) {
    // Only an unknown provider's channel matters: a caller reading it from bytes may pass it as a function, or as
    // the header whose channel is read when first asked for (no closure per event).
    if (typeof channel === 'function') channel = channel();
    else if (typeof channel !== 'string') channel = channel.channel;
    const ch = channel.toLowerCase();
    if (OTP_CHANNELS.has(ch) || (ch === 'security' && SECURITY_OTP_IDS.has(eventId))) {
      return {
        kind: 'unknown_provider',
        message: `event ${eventId} in channel ${channel} from a provider that does not write it`,
      };
    }
  }
  return UNRELATED;
}

let lastProvider = '';
let lastEntry: ProviderEntry | undefined = PROVIDERS.get('');

// Provider names as written (any case) → their entry (null: none), for inputs that change provider from one event to
// the next (several logs' events in time order): a name met again is not lower-cased and looked up again. An input's
// providers are few; a flood of new names empties the table rather than growing it.
const entryByName = new Map<string, ProviderEntry | null>();
const ENTRY_BY_NAME_LIMIT = 64;

function entryOf(provider: string): ProviderEntry | undefined {
  let found = entryByName.get(provider);
  if (found === undefined) {
    found = PROVIDERS.get(provider.toLowerCase()) ?? null;
    if (entryByName.size >= ENTRY_BY_NAME_LIMIT) entryByName.clear();
    entryByName.set(provider, found);
  }
  return found ?? undefined;
}

const UNRELATED: Classification = { kind: 'unrelated' };
const RELEVANT = new Map<Mapper, Classification>();

/** The classification of a mapper's events, made once (classifying allocates nothing). */
function relevant(mapper: Mapper): Classification {
  let c = RELEVANT.get(mapper);
  if (c === undefined) {
    c = { kind: 'relevant', mapper };
    RELEVANT.set(mapper, c);
  }
  return c;
}
