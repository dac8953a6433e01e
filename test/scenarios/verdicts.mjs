// The part of `otptrace analyze --format json` that the scenario goldens pin down: every verdict, time and evidence
// reference, the trace ID, and the event accounting.

/** Project an analysis result (the JSON contract object) to what the goldens hold. */
export function verdictsOf(json) {
  return {
    attempts: json.attempts.map((a) => ({
      user: a.user,
      start: a.start,
      end: a.end,
      outcome: a.outcome,
      failedStage: a.failedStage,
      rootCause: a.rootCause === null ? null : a.rootCause.code,
      traceId: a.traceId,
      gatewayAmbiguous: a.gatewayAmbiguous,
      // Findings beside the verdict (issue 13: certificate_not_usable_for_logon); only written when there are some.
      ...(a.findings?.length > 0 ? { findings: a.findings } : {}),
      evidence: a.evidence.map((e) => `${e.source} ${e.eventId} ${e.computer} #${e.recordId} ${e.time}`),
    })),
    summary: json.summary,
    rejected: json.rejected.map((r) => `${r.code}`),
  };
}

/** The intent view: one line of meaning per attempt. */
export function intentOf(json) {
  return json.attempts.map((a) => ({
    user: a.user,
    outcome: a.outcome,
    failedStage: a.failedStage,
    code: a.rootCause?.code ?? null,
  }));
}
