import type { Plugin } from 'graphql-yoga';
import type { GatewayMetrics } from '../telemetry/metrics';

/**
 * GET /metrics on the GraphQL port: Prometheus text format 0.0.4, whatever the request's Accept
 * (server.ts serves the same on METRICS_PORT instead, when that is set).
 */
export function useMetricsEndpoint(metrics: GatewayMetrics, path = '/metrics'): Plugin {
  return {
    async onRequest(payload) {
      const { url, request, fetchAPI } = payload;
      if (url.pathname !== path) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        payload.endResponse(new fetchAPI.Response(null, { status: 405, headers: { allow: 'GET, HEAD' } }));
        return;
      }
      const text = await metrics.render();
      payload.endResponse(
        new fetchAPI.Response(request.method === 'HEAD' ? null : text, {
          status: 200,
          headers: { 'content-type': metrics.contentType, 'cache-control': 'no-store' },
        }),
      );
    },
  };
}
