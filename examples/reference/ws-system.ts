// A reference WebSocket system for `framewise probe ws://...`: every binary message (one frame, JPEG or raw) is
// sent back unchanged after a fixed delay. Expected verdict: LIVE, with p50 about the delay plus JPEG coding.
// Run: node --import tsx examples/reference/ws-system.ts --delay 100 --port 8790
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';

/** Start the echo server on loopback; resolves with its ws:// URL and a close function. */
export async function startWsEcho(options: { delayMs: number; port?: number }): Promise<{ url: string; close: () => Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: options.port ?? 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  server.on('connection', (socket) => {
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return;
      setTimeout(() => socket.readyState === socket.OPEN && socket.send(data), options.delayMs);
    });
  });
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { delay: { type: 'string', default: '0' }, port: { type: 'string', default: '8790' } } });
  const { url } = await startWsEcho({ delayMs: Number(values.delay), port: Number(values.port) });
  process.stdout.write(`WebSocket echo (delay ${values.delay} ms) at ${url}\n`);
}
