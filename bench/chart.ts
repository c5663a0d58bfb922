import type { BenchResults, BenchRun } from './report';
import { gatewayRow, restRow } from './report';

/**
 * The README's chart: two panels of horizontal bars, gateway next to the emulator hit directly with
 * the equivalent REST request. Left: req/s with an instant upstream. Right: p50 latency with the
 * realistic upstream latency. Plain SVG, no dependencies.
 */

interface Bar {
  label: string;
  gateway: number;
  rest: number;
}

const PANEL_WIDTH = 440;
const LABEL_WIDTH = 120;
const ROW_HEIGHT = 34;
const TOP = 52;

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function bars(run: BenchRun, connections: number, value: (row: { rps: number; p50: number }) => number): Bar[] {
  return run.operations.flatMap((op) => {
    const gateway = gatewayRow(run, op.name, connections);
    const rest = gateway && restRow(run, gateway.rest, connections);
    return gateway && rest ? [{ label: op.name, gateway: value(gateway), rest: value(rest) }] : [];
  });
}

function panel(x: number, title: string, unit: string, data: Bar[]): string {
  const max = Math.max(1, ...data.flatMap((d) => [d.gateway, d.rest]));
  const scale = (PANEL_WIDTH - LABEL_WIDTH - 70) / max;
  const parts = [`<text x="${x}" y="24" font-size="14" font-weight="bold">${escape(title)}</text>`];
  data.forEach((d, i) => {
    const y = TOP + i * ROW_HEIGHT;
    const barX = x + LABEL_WIDTH;
    parts.push(`<text x="${barX - 6}" y="${y + 16}" font-size="12" text-anchor="end">${escape(d.label)}</text>`);
    for (const [k, [v, color]] of [[d.gateway, '#3b6ea8'], [d.rest, '#b9c9dd']].entries() as IterableIterator<[number, [number, string]]>) {
      const barY = y + k * 13;
      const width = Math.max(1, v * scale);
      parts.push(`<rect x="${barX}" y="${barY}" width="${width.toFixed(1)}" height="12" fill="${color}"/>`);
      parts.push(`<text x="${(barX + width + 4).toFixed(1)}" y="${barY + 10}" font-size="10">${v.toFixed(unit === 'ms' ? 1 : 0)} ${unit}</text>`);
    }
  });
  return parts.join('\n');
}

export function renderChart(results: BenchResults): string {
  const [instant, slow] = results.runs;
  const { connections } = results.settings;
  const left = instant ? bars(instant, connections, (r) => r.rps) : [];
  const right = slow ? bars(slow, connections, (r) => r.p50) : [];
  const rows = Math.max(left.length, right.length);
  const height = TOP + rows * ROW_HEIGHT + 40;
  const width = PANEL_WIDTH * 2 + 20;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="#ffffff"/>
${panel(10, `Throughput, instant upstream (${connections} connections)`, 'req/s', left)}
${panel(PANEL_WIDTH + 10, `p50 latency, ${slow?.latencyMs ?? '?'} ms upstream`, 'ms', right)}
<rect x="10" y="${height - 24}" width="12" height="12" fill="#3b6ea8"/><text x="26" y="${height - 14}" font-size="12">gateway (GraphQL)</text>
<rect x="170" y="${height - 24}" width="12" height="12" fill="#b9c9dd"/><text x="186" y="${height - 14}" font-size="12">emulator hit directly with the equivalent REST request (first call for multi-call operations)</text>
</svg>
`;
}
