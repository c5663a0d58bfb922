import type { Plugin } from 'graphql-yoga';

/**
 * GET /readiness: 200 while the upstream answers HTTP, 503 otherwise, and 503 while the process is
 * draining before shutdown (so the load balancer stops sending it new requests). The probe result
 * is reused for `cacheMs`, and concurrent checks share one probe, so a load balancer polling many
 * replicas never turns into upstream traffic of its own.
 */
export function useReadiness(probe: () => Promise<boolean>, draining: () => boolean, cacheMs = 2_000): Plugin {
  let last: { at: number; ready: boolean } | null = null;
  let pending: Promise<boolean> | null = null;

  const ready = async (): Promise<boolean> => {
    if (last && Date.now() - last.at < cacheMs) return last.ready;
    pending ??= probe().then((result) => {
      last = { at: Date.now(), ready: result };
      pending = null;
      return result;
    });
    return pending;
  };

  return {
    async onRequest(payload) {
      if (payload.url.pathname !== '/readiness') return;
      const stopping = draining();
      const ok = !stopping && (await ready());
      payload.endResponse(
        new payload.fetchAPI.Response(JSON.stringify(stopping ? { ready: false, draining: true } : { ready: ok }), {
          status: ok ? 200 : 503,
          headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
        }),
      );
    },
  };
}
