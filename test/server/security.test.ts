import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gatheredOffer } from '../../src/io/webrtc/peer.ts';
import { WebRtcClient } from '../../src/io/webrtc/webrtc-client.ts';
import { wrtc } from '../../src/io/webrtc/wrtc.ts';
import { FramewiseServer } from '../../src/server/framewise-server.ts';
import { scratchDir, testdata } from '../helpers.ts';

// Everything a network client sends is hostile: effect arguments, uploads, routes. None of it may reach the
// server's files, and refusals must not tell whether a file exists.

const dir = scratchDir('security');
const backgrounds = join(dir, 'backgrounds');
const secretPicture = join(dir, 'private.jpg');
let server: FramewiseServer;
let offer: string;

before(async () => {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(backgrounds);
  copyFileSync(testdata('images/portrait.jpg'), join(backgrounds, 'beach.jpg'));
  copyFileSync(testdata('images/sergey.png'), join(backgrounds, 'studio.png'));
  writeFileSync(join(backgrounds, 'notes.txt'), 'not a picture');
  copyFileSync(testdata('images/portrait.jpg'), secretPicture);
  server = await FramewiseServer.start({ port: 0, web: false, backgroundsDir: backgrounds, maxUploadBytes: 2 * 1024 * 1024 });
  const pc = new (wrtc().RTCPeerConnection)();
  pc.addTransceiver('video', { direction: 'sendrecv' });
  offer = await gatheredOffer(pc);
  pc.close();
});

after(async () => {
  await server.close();
});

const whip = (effect: string): Promise<Response> =>
  fetch(`${server.url}/whip?effect=${encodeURIComponent(effect)}`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: offer });

test('effect arguments from the network never name a file: one refusal whether or not the file exists', async () => {
  const refusals = new Set<string>();
  for (const effect of [
    'replace:../../etc/passwd',
    'replace:/etc/passwd',
    `replace:${secretPicture}`,
    'replace:private.jpg',
    'replace:../private.jpg',
    'replace:..%2fprivate.jpg',
    'replace:nonexistent.jpg',
    'replace:notes.txt',
    'replace:file:///etc/passwd',
    'replace:http://127.0.0.1:1/x.jpg',
    'replace:upload:000000000000000000000000',
    'replace:beach.jpg/../../private.jpg',
    'replace:\u0000',
  ]) {
    const response = await whip(effect);
    const text = await response.text();
    assert.equal(response.status, 400, `${effect}: ${response.status} ${text}`);
    assert.match(text, /is not allowed: use a colour, one of this server's backgrounds \(GET \/backgrounds\) or a picture you uploaded/);
    refusals.add(text.replace(/picture ".*" is/s, 'picture X is'));
    assert.doesNotMatch(text, /root:|ENOENT|does not exist|no such file/i, `${effect} tells something about the file system`);
  }
  assert.equal(refusals.size, 1, `one message for every refusal: ${[...refusals].join(' | ')}`);
  assert.equal(server.registry.size, 0);
});

test("the operator's backgrounds are offered by name, with or without the extension; colours always work", async () => {
  const list = (await (await fetch(`${server.url}/backgrounds`)).json()) as { backgrounds: string[] };
  assert.deepEqual(list.backgrounds, ['beach.jpg', 'studio.png'], 'pictures only, no other files');
  for (const effect of ['replace:beach.jpg', 'replace:studio', 'replace:green', 'replace:#336699']) {
    const client = await WebRtcClient.publish(`${server.url}/whip?effect=${encodeURIComponent(effect)}`);
    assert.equal(server.registry.size, 1, effect);
    await client.close();
  }
  assert.equal(server.registry.size, 0);
});

test('uploads: a picture becomes a background only its id names; anything else is refused with what to send', async () => {
  const png = readFileSync(testdata('images/sergey.png'));
  const jpeg = readFileSync(testdata('images/portrait.jpg'));
  const upload = async (body: Uint8Array, type = 'image/png'): Promise<Response> =>
    fetch(`${server.url}/backgrounds`, { method: 'POST', headers: { 'content-type': type }, body });
  const ok = await upload(png);
  assert.equal(ok.status, 201);
  const picture = (await ok.json()) as { name: string; width: number; height: number; effect: string };
  assert.match(picture.name, /^upload:[0-9a-f]{24}$/);
  assert.deepEqual([picture.width, picture.height], [600, 600]);
  const client = await WebRtcClient.publish(`${server.url}/whip?effect=${encodeURIComponent(picture.effect)}`);
  await client.close();
  const refused: [Uint8Array, string, number, RegExp][] = [
    [new TextEncoder().encode('#EXTM3U\n#EXT-X-ENDLIST\nfile:///etc/passwd\n'), 'image/png', 400, /not a picture: send a JPEG, PNG, WebP or GIF/],
    [new TextEncoder().encode('ffconcat version 1.0\nfile /etc/passwd\n'), 'application/octet-stream', 400, /not a picture/],
    [jpeg.subarray(0, 600), 'image/jpeg', 400, /JPEG picture cannot be decoded: it is truncated or corrupt/],
    [png.subarray(0, 100), 'image/png', 400, /PNG picture cannot be decoded/],
    [Uint8Array.from([0x42, 0x4d, 1, 2, 3, 4, 5, 6, 7, 8]), 'image/bmp', 400, /not a picture/],
    [new Uint8Array(3 * 1024 * 1024), 'image/png', 413, /over the limit of 2097152 bytes/],
    [new Uint8Array(0), 'image/png', 400, /the upload is empty/],
    [png, 'text/html', 415, /Content-Type: image\/jpeg/],
  ];
  for (const [body, type, status, message] of refused) {
    const response = await upload(body, type);
    const text = await response.text();
    assert.equal(response.status, status, `${type} ${body.length} bytes: ${text}`);
    assert.match(text, message);
  }
  // The server is still whole.
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
});

test("a page running replace:<picture> itself gets the picture's bytes by the same names; nothing else", async () => {
  const get = (name: string): Promise<Response> => fetch(`${server.url}/backgrounds/${name}`);
  for (const name of ['beach', 'beach.jpg']) {
    const response = await get(name);
    assert.equal(response.status, 200, name);
    assert.equal(response.headers.get('content-type'), 'image/jpeg');
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), new Uint8Array(readFileSync(testdata('images/portrait.jpg'))));
  }
  const png = new Uint8Array(readFileSync(testdata('images/sergey.png')));
  const uploaded = (await (await fetch(`${server.url}/backgrounds`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: png })).json()) as {
    name: string;
  };
  const back = await get(encodeURIComponent(uploaded.name));
  assert.equal(back.status, 200);
  assert.equal(back.headers.get('content-type'), 'image/png');
  assert.deepEqual(new Uint8Array(await back.arrayBuffer()), png, 'the upload as it was sent');
  for (const name of ['notes.txt', 'notes', '..%2Fprivate.jpg', 'private', `upload:${'0'.repeat(24)}`, '%2Fetc%2Fpasswd', '__proto__']) {
    const response = await get(name);
    assert.equal(response.status, 404, name);
    assert.match(await response.text(), /is not allowed/);
  }
  const bad = await get('%E0%A4%A');
  assert.equal(bad.status, 400);
  await bad.text();
});

test('a picture over the pixel limit is refused', async () => {
  const tight = await FramewiseServer.start({ port: 0, web: false, maxPicturePixels: 100_000 });
  try {
    const response = await fetch(`${tight.url}/backgrounds`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: readFileSync(testdata('images/portrait.jpg')),
    });
    assert.equal(response.status, 400);
    assert.match(await response.text(), /larger than the limit of 100000 pixels/);
  } finally {
    await tight.close();
  }
});

test('effect names are looked up safely: prototype keys and misplaced arguments are a 400 with the reason', async () => {
  for (const [effect, message] of [
    ['__proto__', /unknown effect "__proto__": use one of passthrough/],
    ['constructor', /unknown effect "constructor"/],
    ['toString', /unknown effect "toString"/],
    ['hasOwnProperty', /unknown effect "hasOwnProperty"/],
    ['passthrough:extra', /effect "passthrough" takes no argument \(got "extra"\)/],
    ['delay', /effect "delay" needs an argument: delay:<ms>/],
  ] as const) {
    const response = await whip(effect);
    assert.equal(response.status, 400, effect);
    assert.match(await response.text(), message);
  }
});

test('with a token, every route but /healthz and the page needs it; methods a route does not take are 405', async () => {
  const guarded = await FramewiseServer.start({ port: 0, token: 's3cret' });
  try {
    for (const path of ['/sessions', '/sessions/x', '/metrics', '/effects', '/backgrounds', '/backgrounds/beach']) {
      const response = await fetch(`${guarded.url}${path}`);
      assert.equal(response.status, 401, path);
      await response.text();
      const authed = await fetch(`${guarded.url}${path}`, { headers: { authorization: 'Bearer s3cret' } });
      assert.ok(authed.status === 200 || authed.status === 404, `${path} with the token: ${authed.status}`);
      await authed.text();
    }
    for (const path of ['/healthz', '/', '/app.js']) {
      const response = await fetch(`${guarded.url}${path}`);
      assert.equal(response.status, 200, path);
      await response.text();
    }
    const cases: [string, string, number][] = [
      ['GET', '/whip', 405],
      ['POST', '/healthz', 405],
      ['DELETE', '/metrics', 405],
      ['PUT', '/', 405],
      ['GET', '/whip/a/b/c', 404],
    ];
    for (const [method, path, status] of cases) {
      const response = await fetch(`${guarded.url}${path}`, { method, headers: { authorization: 'Bearer s3cret' } });
      assert.equal(response.status, status, `${method} ${path}`);
      if (status === 405) assert.ok(response.headers.get('allow'), `${method} ${path} says what is allowed`);
      await response.text();
    }
  } finally {
    await guarded.close();
  }
});
