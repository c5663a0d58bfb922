import type { BenchResults, BenchRow, BenchRun, TargetName } from './report';
import { findRow } from './report';

/**
 * The README's chart: two panels of horizontal bars per operation, the gateway next to the floor
 * (no GraphQL: the least a Node server spends for the same I/O) and Apollo (what a team would
 * hand-write). Left: CPU ms per request with an instant upstream (what the gateway's own work
 * costs). Right: p50 latency with the realistic upstream latency (what a caller waits). Plain SVG.
 */

const SERIES: ReadonlyArray<{ target: TargetName; color: string; label: string }> = [
  { target: 'gateway', color: '#3b6ea8', label: 'gateway' },
  { target: 'floor', color: '#9bbf85', label: 'floor (node:http + undici + JSON, no GraphQL)' },
  { target: 'apollo', color: '#d9a45b', label: 'Apollo Server 5 + RESTDataSource' },
];

interface Group {
  label: string;
  values: Array<number | undefined>;
}

const PANEL_WIDTH = 460;
const LABEL_WIDTH = 110;
const BAR_HEIGHT = 11;
const GROUP_HEIGHT = SERIES.length * (BAR_HEIGHT + 2) + 10;
const TOP = 44;

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function groups(run: BenchRun, connections: number, value: (row: BenchRow) => number): Group[] {
  return run.operations.flatMap((op) => {
    const values = SERIES.map((s) => {
      const row = findRow(run, s.target, op.name, connections);
      return row ? value(row) : undefined;
    });
    return values.some((v) => v !== undefined) ? [{ label: op.name, values }] : [];
  });
}

function panel(x: number, title: string, unit: string, digits: number, data: Group[]): string {
  const max = Math.max(1e-9, ...data.flatMap((d) => d.values.filter((v): v is number => v !== undefined)));
  const scale = (PANEL_WIDTH - LABEL_WIDTH - 80) / max;
  const parts = [`<text x="${x}" y="22" font-size="14" font-weight="bold">${escape(title)}</text>`];
  data.forEach((d, i) => {
    const y = TOP + i * GROUP_HEIGHT;
    const barX = x + LABEL_WIDTH;
    parts.push(`<text x="${barX - 6}" y="${y + 16}" font-size="12" text-anchor="end">${escape(d.label)}</text>`);
    d.values.forEach((v, k) => {
      const barY = y + k * (BAR_HEIGHT + 2);
      const series = SERIES[k];
      if (v === undefined || !series) return;
      const width = Math.max(1, v * scale);
      parts.push(`<rect x="${barX}" y="${barY}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" fill="${series.color}"/>`);
      parts.push(`<text x="${(barX + width + 4).toFixed(1)}" y="${barY + 9}" font-size="10">${v.toFixed(digits)} ${unit}</text>`);
    });
  });
  return parts.join('\n');
}

export function renderChart(results: BenchResults): string {
  const instant = results.runs.find((r) => r.latencyMs === 0);
  const slow = results.runs.find((r) => r.latencyMs !== 0);
  const { connections } = results.settings;
  const left = instant ? groups(instant, connections, (r) => r.cpuMsPerRequest) : [];
  const right = slow ? groups(slow, connections, (r) => r.p50) : [];
  const rows = Math.max(left.length, right.length);
  const legendY = TOP + rows * GROUP_HEIGHT + 10;
  const height = legendY + SERIES.length * 18 + 24;
  const width = PANEL_WIDTH * 2 + 20;
  const legend = SERIES.map(
    (s, i) =>
      `<rect x="10" y="${legendY + i * 18}" width="12" height="12" fill="${s.color}"/><text x="28" y="${legendY + i * 18 + 10}" font-size="12">${escape(s.label)}</text>`,
  ).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="#ffffff"/>
${panel(10, `CPU per request, instant upstream (${connections} connections)`, 'ms', 2, left)}
${panel(PANEL_WIDTH + 10, `p50 latency, ${slow?.latencyMs ?? '?'} ms upstream (${connections} connections)`, 'ms', 0, right)}
${legend}
<text x="10" y="${height - 8}" font-size="11" fill="#555">Node ${escape(results.machine.node)}, median of ${results.settings.rounds} rounds, ${escape(results.at)}</text>
</svg>
`;
}
