import { detach } from '@otptrace/parse';
import type { AnalysisConfig, UserRef } from '@otptrace/schemas';

/**
 * Maps every spelling of a user in the four logs to one key: `DOMAIN\user`, `user@upn.suffix`, `FQDN/user`,
 * `FQDN\user`, bare `user`, and the CA's UPN SAN (`Other Name: Principal Name=user@dom`). The key is the lower-case
 * sAMAccountName; the domain is the lower-case NetBIOS name, taken from the configured map when a DNS name or UPN
 * suffix is given, else from the DNS name's first label (then marked not explicit, so it never vetoes a join).
 */
export class IdentityResolver {
  private readonly dnsToNetbios = new Map<string, string>();
  private readonly probeKeys: ReadonlySet<string>;
  /**
   * Each spelling's resolution (by domain hint, '' for none, then by spelling), shared by every event that spells the
   * user so: a fleet's events name few users many times, and a user object with its three strings per event was a
   * fifth of an open attempt's heap. Emptied when it reaches RESOLVED_MAX spellings, so that it stays bounded.
   */
  private resolved = new Map<string, Map<string, UserRef | null>>();
  private resolvedCount = 0;

  constructor(config: Pick<AnalysisConfig, 'domains' | 'probeUsers'>) {
    for (const [netbios, names] of Object.entries(config.domains)) {
      for (const name of names) this.dnsToNetbios.set(name.toLowerCase(), netbios.toLowerCase());
    }
    this.probeKeys = new Set(config.probeUsers.map((u) => this.resolve(u)?.key ?? u.toLowerCase()));
  }

  /** Resolve one user spelling (with an optional separate domain field); null for empty, `-` or a machine account. */
  resolve(raw: string | null | undefined, domainHint?: string | null): UserRef | null {
    if (raw == null) return null;
    const hint = domainHint ?? '';
    let byText = this.resolved.get(hint);
    const known = byText?.get(raw);
    if (known !== undefined) return known;
    const user = this.resolveNew(raw, domainHint);
    if (this.resolvedCount >= RESOLVED_MAX) {
      this.resolved = new Map();
      this.resolvedCount = 0;
      byText = undefined;
    }
    if (byText === undefined) {
      byText = new Map();
      this.resolved.set(detach(hint), byText);
    }
    // Copies, not views: the table must not keep event texts alive.
    byText.set(detach(raw), user);
    this.resolvedCount++;
    return user;
  }

  private resolveNew(raw: string, domainHint: string | null | undefined): UserRef | null {
    const text = raw.trim();
    if (text === '' || text === '-') return null;
    let sam: string;
    let domainText: string | null = null;
    const upn = /^(?:Other Name:\s*)?Principal Name=(.+)$/i.exec(text);
    const value = upn?.[1]?.trim() ?? text;
    const sep = Math.max(value.lastIndexOf('\\'), value.lastIndexOf('/'));
    const at = value.lastIndexOf('@');
    if (sep > 0) {
      domainText = value.slice(0, sep);
      sam = value.slice(sep + 1);
    } else if (at > 0) {
      sam = value.slice(0, at);
      domainText = value.slice(at + 1);
    } else {
      sam = value;
      const hint = (domainHint ?? '').trim();
      domainText = hint === '' || hint === '-' ? null : hint;
    }
    sam = sam.trim().toLowerCase();
    if (sam === '' || sam.endsWith('$')) return null;
    const domain = domainText === null ? null : this.domainOf(domainText);
    return {
      key: sam,
      domain: domain?.name ?? null,
      domainExplicit: domain?.explicit ?? false,
      raw: ` ${text}`.slice(1),
    };
  }

  /** Whether a user key is the DA server's RADIUS probe account. */
  isProbe(key: string): boolean {
    return this.probeKeys.has(key);
  }

  private domainOf(text: string): { name: string; explicit: boolean } | null {
    const d = text.trim().toLowerCase();
    if (d === '' || d === '-') return null;
    if (!d.includes('.')) return { name: d, explicit: true };
    const mapped = this.dnsToNetbios.get(d);
    if (mapped !== undefined) return { name: mapped, explicit: true };
    return { name: d.slice(0, d.indexOf('.')), explicit: false };
  }
}

const RESOLVED_MAX = 65_536;

/** The user as the JSON contract prints it: `domain\sam` when the domain is known, else `sam`. */
export function displayUser(user: Pick<UserRef, 'key' | 'domain'>): string {
  return user.domain === null ? user.key : `${user.domain}\\${user.key}`;
}
