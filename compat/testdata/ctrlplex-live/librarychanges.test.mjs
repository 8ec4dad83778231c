// Notifications and webhooks of library changes, driven through @ctrl/plex's own calls
// (reference plex-live.md §1.8, §1.9, §3.2, §4.3, §4.5): Section.update() (a scan) yields an
// `activity` started … ended with one uuid and the `status` "Library scan complete" that Home
// Assistant refreshes on, none of it on a friend's stream; Video.rate() yields media.rate
// with `rating` at the top level and a thumb.
import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import WebSocket from 'ws';
import { AlertListener } from '@ctrl/plex';
import { emulator, server as seeded, tokenOf } from '../env.mjs';
import { Collector, connect, movies, sleep } from './live.mjs';

test('Section.update(): activity started…ended with one uuid, and "Library scan complete"', async () => {
  const srv = await connect('alice');
  const section = await (await srv.library()).section('Movies');
  const frames = new Collector();
  const listener = new AlertListener(srv, (c) => frames.push(c));
  await listener.run();
  const bobFrames = new Collector();
  const bob = new WebSocket(`${seeded('alice-nas').url.replace(/^http/, 'ws')}/:/websockets/notifications?X-Plex-Token=${tokenOf('bob')}`);
  bob.on('message', (d) => bobFrames.push(JSON.parse(d.toString()).NotificationContainer));
  await new Promise((r, j) => { bob.once('open', r); bob.once('error', j); });
  try {
    await section.update();
    // Scans take time on the server's clock; move it on until the activity ends.
    for (let i = 0; i < 20 && !frames.items.some((c) => c.type === 'activity' && c.ActivityNotification[0].event === 'ended'); i++) {
      await fetch(`${emulator.url}/__emulator/clock`, { method: 'POST', body: new URLSearchParams({ advance: '30s' }) });
      await sleep(50);
    }
    const got = await frames.until((fs) => fs.some((c) => c.type === 'activity' && c.ActivityNotification[0].event === 'ended')
      && fs.some((c) => c.type === 'status'), 5000, 'activity ended and status');
    const acts = got.filter((c) => c.type === 'activity').map((c) => c.ActivityNotification[0]);
    const uuid = acts[0].uuid;
    const mine = acts.filter((a) => a.uuid === uuid);
    assert.equal(mine[0].event, 'started');
    assert.equal(mine.at(-1).event, 'ended');
    assert.ok(mine.slice(1, -1).every((a) => a.event === 'updated'), `started, updated…, ended: ${mine.map((a) => a.event)}`);
    for (const a of mine) {
      assert.equal(a.Activity.uuid, a.uuid, 'uuid equals Activity.uuid (§1.8)');
      assert.equal(typeof a.Activity.type, 'string');
      assert.equal(typeof a.Activity.cancellable, 'boolean');
      assert.equal(typeof a.Activity.userID, 'number');
      assert.ok(a.Activity.progress >= -1 && a.Activity.progress <= 100);
    }
    assert.equal(mine.at(-1).Activity.progress, 100);
    const status = got.find((c) => c.type === 'status').StatusNotification[0];
    assert.equal(status.title, 'Library scan complete');
    assert.equal(status.notificationName, 'LIBRARY_UPDATE');
    assert.equal(typeof status.description, 'string');
    await sleep(200);
    const bobTypes = bobFrames.items.map((c) => c.type);
    assert.ok(!bobTypes.includes('status') && !bobTypes.includes('progress'), `the owner's scan is not on bob's stream: ${bobTypes}`);
    assert.ok(!bobFrames.items.some((c) => c.type === 'activity' && c.ActivityNotification[0].uuid === uuid), "bob does not see alice's activity");
  } finally {
    listener.stop();
    bob.close();
  }
});

test('Video.rate(): media.rate with rating at the top level and a thumb', async () => {
  const hooks = new Collector();
  const rcv = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    res.writeHead(200).end();
    const form = await new Response(Buffer.concat(chunks), { headers: { 'content-type': req.headers['content-type'] } }).formData();
    hooks.push({ payload: JSON.parse(form.get('payload')), thumb: form.get('thumb') });
  });
  await new Promise((r) => rcv.listen(0, '127.0.0.1', r));
  const register = (urls) => fetch('https://plex.tv/api/v2/user/webhooks', {
    method: 'POST',
    headers: { 'X-Plex-Token': tokenOf('alice'), 'X-Plex-Client-Identifier': 'compat-live-rate' },
    body: urls.length ? new URLSearchParams(urls.map((u) => ['urls[]', u])) : new URLSearchParams({ urls: '' }),
  });
  try {
    assert.equal((await register([`http://127.0.0.1:${rcv.address().port}/hook`])).status, 201);
    const srv = await connect('alice');
    const movie = (await movies(srv, 12))[11];
    await movie.rate(8);
    const [h] = await hooks.until((hs) => hs.length >= 1, 5000, 'media.rate');
    assert.equal(h.payload.event, 'media.rate');
    assert.equal(h.payload.rating, 8, 'rating at the top level (§4.4)');
    assert.equal(h.payload.Metadata.ratingKey, String(movie.ratingKey));
    assert.equal(h.payload.Metadata.librarySectionType, 'movie', 'as in every captured payload (§4.4)');
    assert.equal(h.payload.Metadata.librarySectionID, 1, 'a number in webhook payloads (§4.4)');
    assert.equal(h.payload.Account.title, 'alice');
    assert.ok(h.thumb && typeof h.thumb !== 'string', 'media.rate carries the thumb (§4.3)');
  } finally {
    await register([]);
    await new Promise((r) => rcv.close(r));
  }
});
