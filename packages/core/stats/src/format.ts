import type { FleetStats, OutcomeCounts, StageLatencies, StatsReport } from '@otptrace/schemas';

// Plain-text renderings for a terminal: aligned columns, probes always in their own column.

/** Render rows of cells as left-aligned (text) / right-aligned (numbers) columns. */
export function textTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string[] {
  const cells = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, c) => cells.reduce((w, r) => Math.max(w, (r[c] ?? '').length), 0));
  const numeric = header.map((_, c) => rows.length > 0 && rows.every((r) => typeof r[c] === 'number'));
  return cells.map((r) =>
    r
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** A failure rate as a percentage, or `-`. */
export function percent(rate: number | null): string {
  return rate === null ? '-' : `${(rate * 100).toFixed(1)}%`;
}

const COUNT_HEADER = ['attempts', 'success', 'failure', 'cancelled', 'incomplete', 'fail%', 'probes'];
const countCells = (c: OutcomeCounts): (string | number)[] => [
  c.attempts,
  c.success,
  c.failure,
  c.cancelled,
  c.incomplete,
  percent(c.failureRate),
  c.probes,
];

/** The latency percentiles as a small table. */
export function formatLatencies(latencies: StageLatencies): string[] {
  const cell = (v: number | null): string | number => (v === null ? '-' : v);
  const rows = (
    [
      ['RADIUS decision', latencies.radius],
      ['CA issuance', latencies.ca],
      ['end to end', latencies.endToEnd],
    ] as const
  ).map(([name, l]) => [name, l.count, cell(l.p50), cell(l.p90), cell(l.p99), cell(l.max)]);
  return textTable(['latency (ms)', 'n', 'p50', 'p90', 'p99', 'max'], rows);
}

/** `otptrace stats` text output: one line per group (and bucket), then totals and latencies. */
export function formatStatsReport(report: StatsReport): string {
  const { query } = report;
  const range = `${query.from ?? 'start'} .. ${query.to ?? 'end'}`;
  const header = [...(query.bucket === null ? [] : [query.bucket]), query.by, ...COUNT_HEADER];
  const rows = report.rows.map((r) => [...(query.bucket === null ? [] : [r.bucket ?? '']), r.key, ...countCells(r)]);
  const totals = [...(query.bucket === null ? [] : ['']), 'total', ...countCells(report.totals)];
  return [
    `OTP attempts by ${query.by}${query.bucket === null ? '' : ` per ${query.bucket}`}, ${range} (probes counted apart, never in fail%)`,
    ...textTable(header, [...rows, totals]),
    '',
    ...formatLatencies(report.latencies),
    '',
  ].join('\n');
}

/** The fleet summary of `otptrace analyze`. */
export function formatFleetStats(stats: FleetStats): string {
  const t = stats.totals;
  const hostTable = (title: string, byHost: Record<string, OutcomeCounts>, limit = 10): string[] => {
    const entries = Object.entries(byHost)
      .sort(([ak, a], [bk, b]) => b.failure - a.failure || b.attempts - a.attempts || ak.localeCompare(bk))
      .slice(0, limit);
    if (entries.length === 0) return [];
    return [
      '',
      ...textTable(
        [title, ...COUNT_HEADER],
        entries.map(([host, c]) => [host, ...countCells(c)]),
      ),
    ];
  };
  const stages = Object.entries(stats.byStage)
    .sort(([, a], [, b]) => b - a)
    .map(([stage, n]) => `${stage} ${n}`);
  return [
    `Fleet statistics ${stats.from ?? '-'} .. ${stats.to ?? '-'}`,
    `  ${t.attempts} attempts: ${t.success} success, ${t.failure} failure, ${t.cancelled} cancelled, ${t.incomplete} incomplete; failure rate ${percent(t.failureRate)}`,
    `  ${t.probes} RADIUS probes, counted apart`,
    `  failed stage: ${stages.length === 0 ? 'none' : stages.join(', ')}`,
    ...(stats.byCause.length === 0
      ? []
      : [
          '',
          ...textTable(
            ['root cause', 'attempts', 'title'],
            stats.byCause.map((c) => [c.code, c.count, c.title]),
          ),
        ]),
    ...hostTable('DA server', stats.byGateway),
    ...hostTable('NPS server', stats.byRadius),
    ...hostTable('CA', stats.byCa),
    ...hostTable('client subnet', stats.bySubnet, 5),
    '',
    ...formatLatencies(stats.latencies),
    ...(stats.topFailingUsers.length === 0
      ? []
      : ['', `top failing users: ${stats.topFailingUsers.map((u) => `${u.user} (${u.failures})`).join(', ')}`]),
    '',
  ].join('\n');
}
