import type { ChildRuntime } from './child-protocol';
import type { LoadResult } from './load';

/** The benchmark's results: their shape, the targets they are checked against, and the printed tables. */

export type TargetName = 'gateway' | 'floor' | 'apollo' | 'yoga-jit';

/** The order targets are printed in under each operation. */
export const TARGET_ORDER: readonly TargetName[] = ['gateway', 'floor', 'apollo', 'yoga-jit'];

/** One round of one row: the load generator's figures and the loaded process's. */
export interface RoundSample extends LoadResult {
  /** CPU time (user + system) of the loaded process per response, ms. */
  cpuMsPerRequest: number;
  /** Resident memory of the loaded process at the end of the round, MB. */
  rssMb: number;
  /** Its highest RSS sampled during the round (every 100 ms), MB. */
  peakRssMb: number;
  /** The process's maxRSS since it started (it never falls, so it includes earlier rows), MB. */
  processMaxRssMb: number;
  /** Upstream calls per response over the round (the emulator's count / responses). */
  upstreamPerResponse?: number;
}

/** One row as reported: the median of its rounds (see run.ts's medianRow), with the rounds kept. */
export interface BenchRow extends RoundSample {
  /** The emulator's added latency in this run, ms. */
  latencyMs: number;
  /** What was loaded: a GraphQL server, or the emulator directly (REST). */
  target: TargetName | 'emulator';
  /** The operation's name (GraphQL) or the REST request's (emulator). */
  operation: string;
  /** The REST request compared with. */
  rest: string;
  connections: number;
  /** (max − min) / median of req/s over the rounds: how much the machine's noise moved this row. */
  rpsSpread: number;
  /** Upstream calls for one response measured on its own, before any load. */
  upstreamProbe?: number;
  /** The page planner's minimum for one response. */
  minimumUpstream?: number;
  rounds: RoundSample[];
}

/** A target × operation the benchmark does not measure, and why. */
export interface SkippedCell {
  targets: string[];
  operation: string;
  reason: string;
}

/** A child process of the run and the Node it ran on. */
export interface ChildInfo extends ChildRuntime {
  process: string;
  pid: number;
}

export interface BenchRun {
  latencyMs: number;
  operations: Array<{ name: string; description: string; rest: string; minimumUpstream: number }>;
  rows: BenchRow[];
  skipped: SkippedCell[];
  children: ChildInfo[];
}

export interface TargetCheck {
  target: string;
  actual: string;
  met: boolean;
}

export interface BenchResults {
  at: string;
  machine: { cpus: number; cpuModel: string; node: string; loadavgAtStart: number[]; loadavgAtEnd: number[] };
  settings: {
    durationSeconds: number;
    warmupSeconds: number;
    rounds: number;
    connections: number;
    manyConnections: number;
    nodeEnv: string;
    nodeFlags: string[];
    gateway: { rateLimiter: string; responseCache: string; telemetry: string };
  };
  runs: BenchRun[];
  targets: TargetCheck[];
  elapsedSeconds: number;
}

const fixed = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

export function findRow(run: BenchRun, target: BenchRow['target'], operation: string, connections: number): BenchRow | undefined {
  return run.rows.find((r) => r.target === target && r.operation === operation && r.connections === connections);
}

/** The emulator row for a REST request in a run (same connection count as the GraphQL rows). */
export function restRow(run: BenchRun, rest: string, connections: number): BenchRow | undefined {
  return findRow(run, 'emulator', rest, connections);
}

/** A row's figures next to a reference row's of the same operation, run and connection count. */
export function ratioTo(run: BenchRun, row: BenchRow, reference: TargetName, figure: (r: BenchRow) => number): number | undefined {
  const other = findRow(run, reference, row.operation, row.connections);
  return other && other !== row ? figure(row) / figure(other) : undefined;
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
  const instant = results.runs.find((r) => r.latencyMs === 0);
  const slow = results.runs.find((r) => r.latencyMs !== 0);
  const checks: TargetCheck[] = [];
  const missing = (target: string): TargetCheck => ({ target, actual: 'not measured', met: false });

  /** Gateway CPU per request within `factor` of the floor's for the same operation (instant upstream). */
  const cpuVsFloor = (operation: string, factor: number, what: string): void => {
    const target = `${operation}${what}, instant upstream: gateway CPU/req <= ${factor} × floor's`;
    const gateway = instant && findRow(instant, 'gateway', operation, connections);
    const floor = instant && findRow(instant, 'floor', operation, connections);
    if (!gateway || !floor) return void checks.push(missing(target));
    const ratio = gateway.cpuMsPerRequest / floor.cpuMsPerRequest;
    checks.push({ target, actual: `${fixed(gateway.cpuMsPerRequest, 3)} vs ${fixed(floor.cpuMsPerRequest, 3)} ms (${fixed(ratio, 2)}×)`, met: ratio <= factor });
  };

  for (const operation of ['page20', 'page20Cursors']) {
    cpuVsFloor(operation, 2.5, '');
    const target = `${operation}, instant upstream: gateway req/s >= 2.5 × apollo's`;
    const gateway = instant && findRow(instant, 'gateway', operation, connections);
    const apollo = instant && findRow(instant, 'apollo', operation, connections);
    if (!gateway || !apollo) checks.push(missing(target));
    else {
      const ratio = gateway.rps / apollo.rps;
      checks.push({ target, actual: `${fixed(gateway.rps, 0)} vs ${fixed(apollo.rps, 0)} req/s (${fixed(ratio, 2)}×)`, met: ratio >= 2.5 });
    }
  }

  {
    const target = `page20Cursors at ${slow?.latencyMs ?? '?'} ms upstream, ${connections} connections: gateway p50 <= REST p50 + 3 ms`;
    const gateway = slow && findRow(slow, 'gateway', 'page20Cursors', connections);
    const rest = slow && gateway && restRow(slow, gateway.rest, connections);
    if (!gateway || !rest) checks.push(missing(target));
    else {
      const delta = gateway.p50 - rest.p50;
      checks.push({ target, actual: `${gateway.p50} vs ${rest.p50} ms (${delta >= 0 ? '+' : ''}${fixed(delta, 1)} ms)`, met: delta <= 3 });
    }
  }

  {
    const target = "page20Traced (every span exported, metrics on), instant upstream: gateway CPU/req <= 1.15 × page20TelemetryOff's";
    const traced = instant && findRow(instant, 'gateway', 'page20Traced', connections);
    const off = instant && findRow(instant, 'gateway', 'page20TelemetryOff', connections);
    const byDefault = instant && findRow(instant, 'gateway', 'page20TelemetryDefault', connections);
    if (!traced || !off) checks.push(missing(target));
    else {
      const ratio = traced.cpuMsPerRequest / off.cpuMsPerRequest;
      const defaults = byDefault ? `; by default (metrics on, no export) ${fixed(byDefault.cpuMsPerRequest, 3)} ms (${fixed(byDefault.cpuMsPerRequest / off.cpuMsPerRequest, 2)}×)` : '';
      checks.push({ target, actual: `${fixed(traced.cpuMsPerRequest, 3)} vs ${fixed(off.cpuMsPerRequest, 3)} ms (${fixed(ratio, 2)}×)${defaults}`, met: ratio <= 1.15 });
    }
  }

  {
    const target = "page100, instant upstream: gateway CPU/req <= 5 × gateway page20's";
    const page100 = instant && findRow(instant, 'gateway', 'page100', connections);
    const page20 = instant && findRow(instant, 'gateway', 'page20', connections);
    if (!page100 || !page20) checks.push(missing(target));
    else {
      const ratio = page100.cpuMsPerRequest / page20.cpuMsPerRequest;
      checks.push({ target, actual: `${fixed(page100.cpuMsPerRequest, 3)} vs ${fixed(page20.cpuMsPerRequest, 3)} ms (${fixed(ratio, 2)}×)`, met: ratio <= 5 });
    }
  }

  {
    const target = `gateway peak RSS <= 150 MB at ${manyConnections} connections`;
    const many = instant && findRow(instant, 'gateway', 'page20', manyConnections);
    if (!many) checks.push(missing(target));
    else {
      checks.push({
        target,
        actual: `peak ${fixed(many.peakRssMb, 0)} MB during the row (${fixed(many.rssMb, 0)} MB at its end; process maxRSS ${fixed(many.processMaxRssMb, 0)} MB)`,
        met: many.peakRssMb <= 150,
      });
    }
  }

  cpuVsFloor('latestBackup', 2.5, ' (same upstream calls)');
  cpuVsFloor('nodes50', 2.5, ' (same upstream calls)');

  const measured = results.runs.flatMap((run) => run.rows.filter((r) => r.target === 'gateway' && r.minimumUpstream !== undefined));
  const off = measured.filter((r) => !upstreamAtMinimum(r));
  checks.push({
    target: 'gateway upstream calls per operation = planner minimum',
    actual:
      off.length === 0
        ? `all ${measured.length} gateway rows`
        : `off: ${off.map((r) => `${r.operation}@${r.latencyMs}ms ${r.upstreamProbe ?? '?'}/${fixed(r.upstreamPerResponse ?? NaN, 2)} vs ${r.minimumUpstream}`).join(', ')}`,
    met: off.length === 0,
  });
  return checks;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${widths.map((w, i) => (i === 0 ? (cells[i] ?? '').padEnd(w) : (cells[i] ?? '').padStart(w))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i === 0 ? ':' : '-') + '-'.repeat(w) + (i === 0 ? '-' : ':')).join('|')}|`, ...rows.map(line)].join('\n');
}

const HEADER = [
  'row',
  'conns',
  'req/s',
  '± %',
  'p50 ms',
  'p99 ms',
  'CPU ms/req',
  'peak RSS MB',
  'upstream/resp (one / load)',
  'planner min',
  'CPU ÷ floor',
  'req/s ÷ floor',
  'req/s ÷ apollo',
  'req/s vs REST',
  'p50 vs REST ms',
  'notes',
];

function rowCells(run: BenchRun, r: BenchRow, connections: number): string[] {
  const graphql = r.target !== 'emulator';
  const rest = graphql ? restRow(run, r.rest, connections) : undefined;
  const ratio = (reference: TargetName, figure: (row: BenchRow) => number): string => {
    const value = graphql ? ratioTo(run, r, reference, figure) : undefined;
    return value === undefined ? '' : fixed(value, 2);
  };
  const failures = r.non2xx + r.errors > 0 ? `${r.non2xx} non-2xx, ${r.errors} errors` : '';
  return [
    graphql ? `${r.target} ${r.operation}` : `REST ${r.operation}`,
    String(r.connections),
    fixed(r.rps, 0),
    fixed(r.rpsSpread * 100, 0),
    fixed(r.p50, 0),
    fixed(r.p99, 0),
    fixed(r.cpuMsPerRequest, 3),
    fixed(r.peakRssMb, 0),
    r.upstreamPerResponse === undefined ? '' : `${r.upstreamProbe ?? ''} / ${fixed(r.upstreamPerResponse, 2)}`,
    r.minimumUpstream === undefined || r.target !== 'gateway' ? '' : String(r.minimumUpstream),
    ratio('floor', (x) => x.cpuMsPerRequest),
    ratio('floor', (x) => x.rps),
    ratio('apollo', (x) => x.rps),
    rest ? `${fixed(r.rps / rest.rps, 2)} of ${r.rest}` : '',
    rest ? `${r.p50 - rest.p50 >= 0 ? '+' : ''}${fixed(r.p50 - rest.p50, 1)}` : '',
    failures,
  ];
}

/** Markdown tables (they paste into the README as they are), the ratios and the targets. */
export function formatReport(results: BenchResults): string {
  const { connections } = results.settings;
  const out: string[] = [];
  const [firstRun] = results.runs;
  if (firstRun) {
    out.push('\n### Operations\n');
    out.push(table(['operation', 'what', 'REST comparison', 'planner min'], firstRun.operations.map((o) => [o.name, o.description, o.rest, String(o.minimumUpstream)])));
  }
  for (const run of results.runs) {
    out.push(`\n### Upstream latency ${run.latencyMs} ms\n`);
    const rows: string[][] = run.rows.filter((r) => r.target === 'emulator').map((r) => rowCells(run, r, connections));
    for (const op of run.operations) {
      for (const target of TARGET_ORDER) {
        const row = findRow(run, target, op.name, connections);
        if (row) rows.push(rowCells(run, row, connections));
      }
      for (const skip of run.skipped.filter((s) => s.operation === op.name)) {
        rows.push([`${skip.targets.join(', ')} ${op.name}`, String(connections), 'skipped', ...Array<string>(HEADER.length - 4).fill(''), skip.reason]);
      }
    }
    for (const r of run.rows.filter((row) => row.target !== 'emulator' && row.connections !== connections)) rows.push(rowCells(run, r, connections));
    for (const skip of run.skipped.filter((s) => !run.operations.some((o) => o.name === s.operation))) {
      rows.push([`${skip.targets.join(', ')} ${skip.operation}`, '', 'skipped', ...Array<string>(HEADER.length - 4).fill(''), skip.reason]);
    }
    out.push(table(HEADER, rows));
  }
  out.push(
    [
      '',
      'Every figure is the median of the rounds. ± %: (max − min) / median of req/s over the rounds (the machine\'s noise on that row).',
      'peak RSS: the highest RSS sampled during the row. upstream/resp: Clumio calls for one response measured alone before any load / per response over the load (cut-off requests add a little).',
      'CPU ÷ floor, req/s ÷ floor, req/s ÷ apollo: the row against the floor\'s and Apollo\'s row for the same operation, latency and connections.',
      'Upstream connections: the gateway, the floor and yoga use one undici pool of 32 connections (the gateway\'s CLUMIO_MAX_CONCURRENCY);',
      'Apollo\'s RESTDataSource fetches through node-fetch on Node\'s global agent, which opens as many sockets as there are requests, so its fan-out rows (latestBackup, nodes50) wait less at 50 ms.',
    ].join('\n'),
  );
  out.push('\n### Targets\n');
  out.push(table(['target', 'measured', 'met'], results.targets.map((t) => [t.target, t.actual, t.met ? 'yes' : 'NO'])));
  const { settings, machine } = results;
  const children = results.runs[0]?.children ?? [];
  const nodes = [...new Set(results.runs.flatMap((run) => run.children.map((c) => c.node)))];
  out.push(
    `\n${machine.cpus} × ${machine.cpuModel}; benchmark on Node ${machine.node}, children on ${nodes.join(', ')} ` +
      `(${children.map((c) => `${c.process}: ${c.execArgv.join(' ') || 'no flags'}${c.nodeEnv ? ` NODE_ENV=${c.nodeEnv}` : ''}`).join('; ')}); ` +
      `median of ${settings.rounds} rounds of ${settings.durationSeconds} s per row (rounds interleaved across targets), ` +
      `${settings.warmupSeconds} s warm-up before a row's first round; gateway rate limiter ${settings.gateway.rateLimiter}, ` +
      `response cache ${settings.gateway.responseCache}; telemetry ${settings.gateway.telemetry}; load average at start ${machine.loadavgAtStart.map((l) => l.toFixed(2)).join(' ')}, ` +
      `at end ${machine.loadavgAtEnd.map((l) => l.toFixed(2)).join(' ')}; ${results.elapsedSeconds} s in all.`,
  );
  return out.join('\n');
}
