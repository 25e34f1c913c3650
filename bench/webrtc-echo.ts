import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerOffer } from '../src/io/webrtc/peer.ts';
import { type PeerConnection, wrtc } from '../src/io/webrtc/wrtc.ts';

/**
 * The floor for glass-to-glass benchmarks: a WHIP endpoint that sends the received track straight back
 * (libwebrtc decodes and re-encodes it; no Framewise pipeline, no JavaScript per frame).
 */
export async function startWebRtcEcho(): Promise<{ url: string; close(): Promise<void> }> {
  const peers = new Set<PeerConnection>();
  const server: Server = createServer((req, res) => {
    const cors = {
      'access-control-allow-origin': '*',
      'access-control-allow-headers': 'content-type, authorization',
      'access-control-expose-headers': 'location',
    };
    if (req.method === 'OPTIONS') return void res.writeHead(204, { ...cors, 'access-control-allow-methods': 'POST, DELETE' }).end();
    if (req.method === 'DELETE') return void res.writeHead(200, cors).end();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const pc = new (wrtc().RTCPeerConnection)();
      peers.add(pc);
      const offer = Buffer.concat(chunks).toString('utf8');
      void (async () => {
        await pc.setRemoteDescription({ type: 'offer', sdp: offer });
        const transceiver = pc.getTransceivers().find((t) => t.receiver.track.kind === 'video');
        if (transceiver) {
          await transceiver.sender.replaceTrack(transceiver.receiver.track);
          transceiver.direction = 'sendrecv';
        }
        const answer = await answerOffer(pc, offer);
        res.writeHead(201, { ...cors, 'content-type': 'application/sdp', location: `/whip/${peers.size}` }).end(answer);
      })().catch((err: unknown) => res.writeHead(400, cors).end(String(err)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/whip`,
    async close() {
      for (const pc of peers) pc.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
