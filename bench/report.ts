import type { LoadResult } from './load';

/** The benchmark's results: their shape, the targets they are checked against, and the printed tables. */

/** One row: the load generator's figures and the loaded process's. */
export interface BenchRow extends LoadResult {
  /** The emulator's added latency in this run, ms. */
  latencyMs: number;
  /** What was loaded: the gateway (GraphQL) or the emulator directly (REST). */
  target: 'gateway' | 'emulator';
  /** The operation's name (gateway) or the REST request's (emulator). */
  operation: string;
  /** The REST request compared with. */
  rest: string;
  connections: number;
  /** CPU time (user + system) of the loaded process per response, ms. */
  cpuMsPerRequest: number;
  /** Resident memory of the loaded process at the end of the row, and its peak so far, MB. */
  rssMb: number;
  peakRssMb: number;
  /** Upstream calls per response over the whole row (the emulator's count / responses). */
  upstreamPerResponse?: number;
  /** Upstream calls for one response measured on its own. */
  upstreamProbe?: number;
  /** The page planner's minimum for one response. */
  minimumUpstream?: number;
}

export interface BenchRun {
  latencyMs: number;
  operations: Array<{ name: string; description: string; rest: string; minimumUpstream: number }>;
  rows: BenchRow[];
}

export interface TargetCheck {
  target: string;
  actual: string;
  met: boolean;
}

export interface BenchResults {
  at: string;
  machine: { cpus: number; cpuModel: string; node: string; loadavgAtEnd: number[] };
  settings: {
    durationSeconds: number;
    warmupSeconds: number;
    connections: number;
    manyConnections: number;
    gateway: { nodeEnv: string; flags: string[]; rateLimiter: string; responseCache: string };
  };
  runs: BenchRun[];
  targets: TargetCheck[];
  elapsedSeconds: number;
}

const fixed = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** The emulator row for a REST request in a run (same connection count as the gateway rows). */
export function restRow(run: BenchRun, rest: string, connections: number): BenchRow | undefined {
  return run.rows.find((r) => r.target === 'emulator' && r.operation === rest && r.connections === connections);
}

export function gatewayRow(run: BenchRun, operation: string, connections: number): BenchRow | undefined {
  return run.rows.find((r) => r.target === 'gateway' && r.operation === operation && r.connections === connections);
}

/** Upstream calls per response over a loaded row equal the minimum, allowing for requests cut off at the row's end. */
export function upstreamAtMinimum(row: BenchRow): boolean {
  if (row.minimumUpstream === undefined || row.upstreamPerResponse === undefined) return false;
  if (row.minimumUpstream === 0) return row.upstreamProbe === 0 && row.upstreamPerResponse < 0.01;
  const slack = (row.connections * row.minimumUpstream) / Math.max(1, row.requests);
  return row.upstreamProbe === row.minimumUpstream && Math.abs(row.upstreamPerResponse - row.minimumUpstream) <= slack + 1e-9;
}

export function evaluateTargets(results: BenchResults): TargetCheck[] {
  const { connections, manyConnections } = results.settings;
  const [instant, slow] = results.runs;
  const checks: TargetCheck[] = [];
  if (!instant || !slow) return checks;
  const page = gatewayRow(instant, 'page20', connections);
  const rest = page && restRow(instant, page.rest, connections);
  if (page && rest) {
    const ratio = page.rps / rest.rps;
    checks.push({
      target: '20-item page, instant upstream: gateway req/s >= 50% of the emulator’s',
      actual: `${fixed(page.rps, 0)} vs ${fixed(rest.rps, 0)} req/s (${fixed(ratio * 100, 0)}%)`,
      met: ratio >= 0.5,
    });
    checks.push({
      target: '20-item page: gateway CPU <= 0.5 ms per request',
      actual: `${fixed(page.cpuMsPerRequest, 3)} ms`,
      met: page.cpuMsPerRequest <= 0.5,
    });
  }
  const slowPage = gatewayRow(slow, 'page20', connections);
  const slowRest = slowPage && restRow(slow, slowPage.rest, connections);
  if (slowPage && slowRest) {
    checks.push({
      target: `20-item page at ${slow.latencyMs} ms upstream: gateway p50 <= upstream p50 + 2 ms`,
      actual: `${slowPage.p50} vs ${slowRest.p50} ms (+${fixed(slowPage.p50 - slowRest.p50, 1)} ms)`,
      met: slowPage.p50 <= slowRest.p50 + 2,
    });
  }
  const cached = gatewayRow(instant, 'cachedPage20', connections);
  if (page && cached) {
    const ratio = cached.rps / page.rps;
    checks.push({
      target: 'cached repeat >= 10x uncached req/s',
      actual: `${fixed(cached.rps, 0)} vs ${fixed(page.rps, 0)} req/s (${fixed(ratio, 1)}x)`,
      met: ratio >= 10,
    });
  }
  const many = gatewayRow(instant, 'page20', manyConnections);
  if (many) {
    checks.push({
      target: `RSS <= 150 MB at ${manyConnections} connections`,
      actual: `${fixed(many.rssMb, 0)} MB at the end of the row, peak ${fixed(many.peakRssMb, 0)} MB`,
      met: many.peakRssMb <= 150,
    });
  }
  const measured = results.runs.flatMap((run) => run.rows.filter((r) => r.target === 'gateway' && r.minimumUpstream !== undefined));
  const off = measured.filter((r) => !upstreamAtMinimum(r));
  checks.push({
    target: 'upstream calls per operation = planner minimum',
    actual: off.length === 0 ? `all ${measured.length} gateway rows` : `off: ${off.map((r) => `${r.operation}@${r.latencyMs}ms`).join(', ')}`,
    met: off.length === 0,
  });
  return checks;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i === 0 ? ':' : '-') + '-'.repeat(w) + (i === 0 ? '-' : ':')).join('|')}|`, ...rows.map(line)].join('\n');
}

/** Markdown tables (they paste into the README as they are), the ratios and the targets. */
export function formatReport(results: BenchResults): string {
  const out: string[] = [];
  for (const run of results.runs) {
    out.push(`\n### Upstream latency ${run.latencyMs} ms\n`);
    const rows = run.rows.map((r) => {
      const rest = r.target === 'gateway' ? restRow(run, r.rest, results.settings.connections) : undefined;
      return [
        r.target === 'gateway' ? `gateway ${r.operation}` : `emulator ${r.operation}`,
        String(r.connections),
        fixed(r.rps, 0),
        String(r.p50),
        String(r.p99),
        fixed(r.cpuMsPerRequest, 3),
        fixed(r.peakRssMb, 0),
        r.upstreamPerResponse === undefined ? '' : `${r.upstreamProbe ?? ''} / ${fixed(r.upstreamPerResponse, 2)}`,
        r.minimumUpstream === undefined ? '' : String(r.minimumUpstream),
        rest ? `${fixed(r.rps / rest.rps, 2)} of ${r.rest}` : '',
        rest ? `${r.p50 - rest.p50 >= 0 ? '+' : ''}${fixed(r.p50 - rest.p50, 1)}` : '',
        r.non2xx + r.errors > 0 ? `${r.non2xx} non-2xx, ${r.errors} errors` : '',
      ];
    });
    out.push(
      table(
        ['row', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'peak RSS MB', 'upstream/resp (one / load)', 'planner min', 'req/s vs REST', 'p50 vs REST ms', 'failures'],
        rows,
      ),
    );
  }
  out.push('\n### Targets\n');
  out.push(table(['target', 'measured', 'met'], results.targets.map((t) => [t.target, t.actual, t.met ? 'yes' : 'NO'])));
  out.push(
    `\n${results.machine.cpus} × ${results.machine.cpuModel}, Node ${results.machine.node}; ` +
      `${results.settings.durationSeconds} s per row after ${results.settings.warmupSeconds} s warm-up; ` +
      `gateway NODE_ENV=${results.settings.gateway.nodeEnv} ${results.settings.gateway.flags.join(' ')}, rate limiter off; ` +
      `load average at the end ${results.machine.loadavgAtEnd.map((l) => l.toFixed(2)).join(' ')}.`,
  );
  return out.join('\n');
}
