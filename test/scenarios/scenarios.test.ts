import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzePaths } from '@otptrace/files';
import { toJson } from '@otptrace/pipeline';
import { analysisConfigSchema } from '@otptrace/schemas';
import { toSpans } from '@otptrace/trace';
import { describe, expect, it } from 'vitest';
import { intentOf, verdictsOf } from './verdicts.mjs';

const here = new URL('.', import.meta.url).pathname;
const scenarios = readdirSync(here).filter((n) => existsSync(join(here, n, 'intent.json')));

/** A scenario's own analysis settings (config.json, e.g. NPS log offsets), else the defaults. */
function settingsOf(dir: string): unknown {
  const file = join(dir, 'config.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
}

async function analyze(dir: string) {
  return toJson(await analyzePaths([dir], analysisConfigSchema.parse(settingsOf(dir)))) as {
    attempts: { outcome: string }[];
    summary: { eventsRead: number; eventsCorrelated: number; eventsIgnored: number; eventsRejected: number };
  };
}

describe('scenario corpus', () => {
  it('covers every root-cause code the offline analysis promises', () => {
    const codes = new Set(
      scenarios.flatMap((n) =>
        (JSON.parse(readFileSync(join(here, n, 'intent.json'), 'utf8')) as { code: string | null }[]).map(
          (a) => a.code,
        ),
      ),
    );
    for (const code of [
      'otp_rejected',
      'radius_policy',
      'radius_account',
      'radius_directory_unavailable',
      'radius_no_response',
      'signing_failed',
      'ca_unreachable',
      'ca_denied_template_permission',
      'ca_denied_signature',
      'ca_template_not_available',
      'ca_denied_key_length',
      'ca_denied_other',
      'ca_pending',
      'client_cannot_reach_server',
      'client_certificate_missing',
      'challenge_required',
      'user_not_in_directory',
      'client_certificate_store',
      // issue 13 (docs/windows-events.md §9)
      'radius_extension_failed',
      'radius_client_misconfigured',
      'gateway_rejected_request',
      'radius_remote_unavailable',
      'radius_remote_access_lockout',
      'radius_unknown_domain',
      'client_certificate_revoked',
      'gateway_untrusted_client_certificate',
      'client_certificate_expired',
      'gateway_otp_extension_blocked',
      'signing_certificate_denied',
      'ca_revocation_offline',
      'ca_chain_untrusted',
      // a stopped application pool: HTTP.sys' 503 in its HTTPERR log
      'gateway_error',
    ])
      expect(codes, code).toContain(code);
  });

  for (const name of scenarios) {
    it(`${name}: verdicts, evidence and accounting match the golden file and the intent`, async () => {
      const dir = join(here, name);
      const json = await analyze(dir);
      expect(intentOf(json)).toEqual(JSON.parse(readFileSync(join(dir, 'intent.json'), 'utf8')));
      expect(verdictsOf(json)).toEqual(JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')));
      const s = json.summary;
      expect(s.eventsRead).toBe(s.eventsCorrelated + s.eventsIgnored + s.eventsRejected);
    });
  }

  it('gives the same verdicts and trace IDs whatever the order of files and events', async () => {
    const ordered = verdictsOf(await analyze(join(here, 'encodings')));
    const shuffled = verdictsOf(await analyze(join(here, 'out-of-order')));
    expect(shuffled.attempts.map((a: { traceId: string }) => a.traceId)).toEqual(
      ordered.attempts.map((a: { traceId: string }) => a.traceId),
    );
  });

  it('separates gateway_rejected_request from radius_no_response by the configured RADIUS timeout', async () => {
    const dir = join(here, 'gateway-rejected-request');
    const codeWith = async (radiusTimeoutMs: number) => {
      const json = toJson(await analyzePaths([dir], analysisConfigSchema.parse({ radiusTimeoutMs }))) as {
        attempts: { user: string; rootCause: { code: string } | null }[];
      };
      return json.attempts.find((a) => a.user === 'corp\\jon')?.rootCause?.code;
    };
    // IIS took 180 ms: well below 5 s (refused first), at or above 100 ms (waited), in between for 300 ms (unclear).
    expect(await codeWith(5_000)).toBe('gateway_rejected_request');
    expect(await codeWith(100)).toBe('radius_no_response');
    expect(await codeWith(300)).toBe('otp_authentication_failed');
  });

  // Issue 13: the same attempts written as 6200/6272/6273 events and as IIS W3C / NPS log-file lines (database-compatible,
  // DTS or IAS) give identical verdicts and traces. Span times and record references differ (W3C logs whole seconds).
  const TEXT_LOG_TWINS: Record<string, string> = {
    'success-text-logs': 'success',
    'otp-rejected-text-logs': 'otp-rejected',
    'radius-no-response-text-logs': 'radius-no-response',
    'gateway-rejected-request-text-logs': 'gateway-rejected-request',
    'radius-account-text-logs': 'radius-account',
  };
  for (const [variant, original] of Object.entries(TEXT_LOG_TWINS)) {
    it(`${variant}: W3C and NPS log-file lines give the verdicts and traces of ${original}'s events`, async () => {
      const shape = async (name: string) => {
        const dir = join(here, name);
        const result = await analyzePaths([dir], analysisConfigSchema.parse(settingsOf(dir)));
        return result.attempts.map(({ record, events }) => {
          const spans = toSpans(record, events);
          const ids = spans.map((span) => span.spanId);
          return {
            user: record.user,
            outcome: record.outcome,
            failedStage: record.failedStage,
            rootCause: record.rootCause,
            // W3C times are whole seconds: the start agrees within one.
            start: Math.round(Date.parse(record.start) / 1000),
            hosts: Object.fromEntries(
              Object.entries(record.hosts).map(([k, v]) => [k, v?.split('.')[0]?.toLowerCase()]),
            ),
            // Which records, not their order: W3C's whole seconds can swap two steps logged within one second.
            evidence: record.evidence.map((e) => `${e.source} ${e.eventId}`).sort(),
            spans: spans.map((span) => ({
              role: span.role,
              name: span.name,
              kind: span.kind,
              status: span.status,
              parent: span.parentSpanId === null ? null : ids.indexOf(span.parentSpanId),
              events: span.events.map((e) => e.name),
            })),
          };
        });
      };
      const [text, xml] = await Promise.all([shape(variant), shape(original)]);
      expect(text.length).toBeGreaterThan(0);
      expect(text).toEqual(xml);
    });
  }

  it("learns an NPS log-file offset from the same server's 6272/6273 and says which offset it used", async () => {
    const json = (await analyze(join(here, 'text-logs-learned-offset'))) as unknown as {
      summary: { npsLogClocks?: Record<string, { offset: string; basis: string }>; ignoredBy: Record<string, number> };
    };
    expect(json.summary.npsLogClocks).toEqual({ nps01: { offset: '+01:00', basis: 'learned' } });
    // Every log-file decision repeats an audit event, every W3C POST a 6200: each counted once, as a duplicate.
    expect(json.summary.ignoredBy.duplicate_event).toBe(6);
    const clocksOf = async (name: string) =>
      (
        toJson(await analyzePaths([join(here, name)], analysisConfigSchema.parse({}))) as {
          summary: { npsLogClocks?: Record<string, { offset: string; basis: string }> };
        }
      ).summary.npsLogClocks;
    // No audit events: the user's CA request two seconds after the accept teaches it.
    expect(await clocksOf('success-text-logs')).toEqual({ nps01: { offset: '+01:00', basis: 'learned' } });
    // Only a DA server's probe: nothing teaches it, and the summary says UTC was assumed.
    expect(await clocksOf('gateway-rejected-request-text-logs')).toEqual({
      nps01: { offset: '+00:00', basis: 'assumed_utc' },
    });
  });

  it("gives the attempts of the configured NPS log offsets without them, where the users' events teach them", async () => {
    for (const name of [
      'success-text-logs',
      'otp-rejected-text-logs',
      'radius-account-text-logs',
      'nps-log-unanswered',
      'text-logs-daylight-saving',
    ]) {
      const dir = join(here, name);
      const settings = analysisConfigSchema.parse(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')));
      const configured = toJson(await analyzePaths([dir], settings)).attempts;
      const learned = toJson(await analyzePaths([dir], analysisConfigSchema.parse({}))).attempts;
      expect(learned, name).toEqual(configured);
    }
  });

  it("follows an NPS server's daylight-saving change when its time zone is configured, and says so", async () => {
    const dir = join(here, 'text-logs-daylight-saving');
    const settings = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as object;
    const json = toJson(await analyzePaths([dir], analysisConfigSchema.parse(settings))) as {
      summary: { npsLogClocks?: Record<string, { offset: string; basis: string; zone?: string }> };
    };
    // The log's first record is of Saturday 24 October 2026, in summer time.
    expect(json.summary.npsLogClocks).toEqual({
      nps01: { offset: '+02:00', basis: 'configured', zone: 'Europe/Berlin' },
    });
  });

  it('counts an event exported twice once', async () => {
    const json = (await analyze(join(here, 'duplicates'))) as unknown as {
      summary: { ignoredBy: Record<string, number>; eventsCorrelated: number };
    };
    expect(json.summary.ignoredBy.duplicate_event).toBe(7);
    expect(json.summary.eventsCorrelated).toBe(14);
  });
});
