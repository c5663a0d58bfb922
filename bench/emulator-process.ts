/** Child process: the Clumio emulator alone, with the latency the benchmark asks for (BENCH_LATENCY_MS). */
import { createClumioEmulator } from '../src/emulator';
import { serveParent } from './child-protocol';

async function main(): Promise<void> {
  const emulator = createClumioEmulator({
    latencyMs: Number(process.env.BENCH_LATENCY_MS ?? '0'),
    // The log would grow with every request; the counter is enough.
    recordRequests: false,
  });
  const url = await emulator.listen(0, '127.0.0.1');
  serveParent(url, () => emulator.close(), () => ({ requestCount: emulator.requestCount }));
}

main().catch((error: unknown) => {
  console.error('bench emulator failed:', error);
  process.exit(1);
});
