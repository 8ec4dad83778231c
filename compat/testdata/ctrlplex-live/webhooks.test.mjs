// Webhooks as a receiver in the wild sees them (reference plex-live.md §4): a Node HTTP server
// that reads the multipart/form-data body with the platform's own FormData parser (undici's, as
// fetch's Response.formData()), takes the `payload` field as JSON like plexinc's samples
// (JSON.parse(req.body.payload)) and the `thumb` file like multer's upload.single('thumb').
// alice registers its URL on plex.tv (POST /api/v2/user/webhooks, urls[]=), a player plays on
// her server, and the receiver must get media.play / pause / resume / scrobble / stop with the
// fields of §4.4, a thumb only with the poster events (§4.3).
import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { server as seeded, tokenOf, emulator } from '../env.mjs';
import { Collector, Player, connect, movies, sleep } from './live.mjs';

/** A receiver on 127.0.0.1; hooks collects {event, payload, thumb, headers}. Answers 200. */
async function receiver() {
  const hooks = new Collector();
  const srv = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    res.writeHead(200).end('ok'); // answer fast, as §4.6 advises and plexinc's samples do
    try {
      const form = await new Response(body, { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
      const raw = form.get('payload');
      const thumb = form.get('thumb');
      hooks.push({
        method: req.method,
        headers: req.headers,
        payloadIsField: typeof raw === 'string',
        payload: JSON.parse(typeof raw === 'string' ? raw : await raw.text()),
        thumb: thumb && typeof thumb !== 'string' ? { name: thumb.name, type: thumb.type, bytes: Buffer.from(await thumb.arrayBuffer()) } : thumb,
        parts: [...form.keys()],
      });
    } catch (err) {
      hooks.push({ error: String(err), headers: req.headers, body: body.toString('latin1').slice(0, 500) });
    }
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${srv.address().port}/plex?secret=s3cret`, hooks, close: () => new Promise((r) => srv.close(r)) };
}

/** Registers urls as username's webhooks on the emulator's plex.tv (replacing the list). */
async function register(username, urls) {
  const form = new URLSearchParams();
  for (const u of urls) form.append('urls[]', u);
  if (urls.length === 0) form.append('urls', '');
  const res = await fetch('https://plex.tv/api/v2/user/webhooks', {
    method: 'POST',
    headers: { 'X-Plex-Token': tokenOf(username), 'X-Plex-Client-Identifier': 'compat-live-webhooks', Accept: 'application/json' },
    body: form,
  });
  return res;
}

const events = (hooks) => hooks.map((h) => h.payload?.event ?? `error: ${h.error}`);

test('alice playing on her server: play, pause, resume, scrobble, stop reach her receiver', async () => {
  const rcv = await receiver();
  try {
    const reg = await register('alice', [rcv.url]);
    assert.equal(reg.status, 201, await reg.clone().text());
    const srv = await connect('alice');
    const [, , , , movie] = await movies(srv, 5);
    const player = new Player('alice', { name: 'Den TV', product: 'Plex for LG' });
    const d = movie.duration;
    const steps = [
      ['playing', 1000, 'media.play'],
      ['paused', 60_000, 'media.pause'],
      ['playing', 60_000, 'media.resume'],
      ['playing', Math.floor(d * 0.95), 'media.scrobble'],
      ['stopped', Math.floor(d * 0.96), 'media.stop'],
    ];
    const media = (hs) => hs.filter((h) => h.payload.event !== 'device.new');
    for (const [i, [state, time, want]] of steps.entries()) {
      await player.report(movie, state, time);
      await rcv.hooks.until((hs) => media(hs).length >= i + 1, 5000, want);
    }
    await sleep(500);
    assert.deepEqual(events(media(rcv.hooks.items)), steps.map(([, , e]) => e), 'one post per event, in the order of the reports');
    // The player is new to the server: device.new (owner only, no item, no thumb) before its
    // media.play (§4.3); the client's own first request may have been new too.
    const all = events(rcv.hooks.items);
    const devices = rcv.hooks.items.filter((h) => h.payload.event === 'device.new');
    const mine = devices.find((h) => h.payload.Player?.uuid === player.clientIdentifier);
    assert.ok(mine, `device.new for the player in ${all}`);
    assert.ok(rcv.hooks.items.indexOf(mine) < all.indexOf('media.play'), 'device.new comes before media.play');
    for (const h of devices) {
      assert.equal(h.payload.owner, true);
      assert.equal(h.payload.Metadata, undefined, 'device.new is about no item');
      assert.equal(h.thumb, null, 'device.new has no thumb (§4.3)');
    }

    const seededServer = seeded('alice-nas');
    for (const h of media(rcv.hooks.items)) {
      const p = h.payload;
      assert.equal(h.method, 'POST');
      assert.match(h.headers['content-type'], /^multipart\/form-data; boundary=-{24}[A-Za-z0-9]{24}$/, 'Plex\'s boundary (§4.2)');
      assert.match(h.headers['user-agent'], /^PlexMediaServer\/\d+\.\d+/, 'User-Agent PlexMediaServer/<version>');
      assert.equal(h.payloadIsField, true, `${p.event}: payload is a plain field, no filename`);
      assert.deepEqual(Object.keys(p).slice(0, 3), ['event', 'user', 'owner']);
      assert.equal(p.user, true, `${p.event}: alice configured the hook and acted`);
      assert.equal(p.owner, true, `${p.event}: alice owns the server`);
      assert.equal(p.Account.id, 1, "the owner's server-relative id is 1 (§4.4)");
      assert.equal(p.Account.title, 'alice');
      assert.match(p.Account.thumb, /^https:\/\/plex\.tv\/users\/[0-9a-f]+\/avatar/);
      assert.equal(p.Server.title, 'alice-nas');
      assert.equal(p.Server.uuid, seededServer.machineIdentifier);
      assert.equal(p.Player.uuid, player.clientIdentifier);
      assert.equal(p.Player.title, 'Den TV');
      assert.equal(p.Player.local, true, 'a loopback player is local');
      assert.equal(p.Player.publicAddress, '127.0.0.1', 'publicAddress, lower-case p');
      const m = p.Metadata;
      assert.equal(m.ratingKey, String(movie.ratingKey));
      assert.equal(m.key, `/library/metadata/${movie.ratingKey}`);
      assert.equal(m.type, 'movie');
      assert.equal(m.title, movie.title);
      assert.match(m.guid, /^plex:\/\/movie\//);
      assert.equal(m.librarySectionType, 'movie');
      assert.equal(m.librarySectionTitle, 'Movies');
      assert.equal(m.librarySectionID, 1, 'librarySectionID is a number in webhook payloads (§4.4, §4.5)');
      assert.equal(m.librarySectionKey, '/library/sections/1');
      assert.equal(m.duration, d);
      assert.equal(typeof m.addedAt, 'number');
      if (p.event === 'media.play') {
        assert.ok(h.thumb, 'media.play carries the thumb (§4.3)');
        assert.equal(h.thumb.name, 'thumb.jpg');
        assert.equal(h.thumb.type, 'image/jpeg');
        assert.deepEqual([...h.thumb.bytes.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG');
        assert.deepEqual(h.parts, ['payload', 'thumb']);
      } else {
        assert.equal(h.thumb, null, `${p.event} has no thumb (§4.3)`);
        assert.deepEqual(h.parts, ['payload']);
      }
    }
    const byEvent = Object.fromEntries(rcv.hooks.items.map((h) => [h.payload.event, h.payload]));
    assert.equal(byEvent['media.pause'].Metadata.viewOffset, 60_000, 'viewOffset where it paused');
    assert.equal(byEvent['media.scrobble'].Metadata.viewCount >= 1, true, 'the scrobble payload shows the view counted');
  } finally {
    await register('alice', []);
    await rcv.close();
  }
});

test("bob, a friend, playing: alice's hook gets owner:true user:false, and playback.started with a thumb", async () => {
  const rcv = await receiver();
  try {
    assert.equal((await register('alice', [rcv.url])).status, 201);
    const srv = await connect('alice');
    const [movie] = await movies(srv, 1);
    const player = new Player('bob', { name: "Bob's phone", product: 'Plex for Android' });
    await player.report(movie, 'playing', 0);
    // Bob's phone is new to the server: device.new (owner only, no item) comes first (§4.3).
    // alice's client may be new as well (when this test runs alone): that one is left out.
    const phone = (hs) => hs.filter((h) => h.payload.Player?.uuid === player.clientIdentifier);
    await rcv.hooks.until((hs) => phone(hs).length >= 3, 5000, 'device.new, media.play and playback.started');
    await player.report(movie, 'stopped', 30_000);
    await rcv.hooks.until((hs) => phone(hs).length >= 4, 5000, 'media.stop');
    await sleep(500);
    const hooks = phone(rcv.hooks.items);
    assert.deepEqual(events(hooks).toSorted(), ['device.new', 'media.play', 'media.stop', 'playback.started']);
    const device = hooks[0];
    assert.equal(device.payload.event, 'device.new', 'the first request comes before the playback it starts');
    assert.equal(device.payload.Metadata, undefined, 'device.new is about no item');
    assert.equal(device.thumb, null, 'device.new has no thumb (§4.3)');
    const bob = emulator.users.find((u) => u.username === 'bob');
    for (const h of hooks) {
      const p = h.payload;
      assert.equal(p.user, false, `${p.event}: not bob's own hook`);
      assert.equal(p.owner, true, `${p.event}: the owner's hook`);
      assert.equal(p.Account.title, 'bob');
      assert.equal(p.Account.id, bob.id, "another user's Account.id is his plex.tv id (§4.4)");
      assert.equal(p.Player.uuid, player.clientIdentifier);
    }
    const started = hooks.find((h) => h.payload.event === 'playback.started');
    assert.ok(started.thumb, 'playback.started carries the thumb (§4.3)');
  } finally {
    await register('alice', []);
    await rcv.close();
  }
});

test("the butler's BackupDatabase: admin.database.backup reaches the owner's receiver when it completes", async () => {
  const rcv = await receiver();
  try {
    assert.equal((await register('alice', [rcv.url])).status, 201);
    const srv = await connect('alice');
    await srv.query('/butler/BackupDatabase', 'post');
    const backups = (hs) => hs.filter((h) => h.payload?.event === 'admin.database.backup');
    await sleep(300);
    assert.deepEqual(backups(rcv.hooks.items), [], 'nothing while the backup runs');
    // The task takes a minute of the emulator's clock (frozen in this suite).
    const adv = await fetch(`${emulator.url}/__emulator/clock`, { method: 'POST', body: new URLSearchParams({ advance: '61s' }) });
    assert.equal(adv.status, 200);
    await rcv.hooks.until((hs) => backups(hs).length >= 1, 5000, 'admin.database.backup');
    await sleep(300);
    const got = backups(rcv.hooks.items);
    assert.equal(got.length, 1, 'one backup, one event');
    const [h] = got;
    const p = h.payload;
    assert.equal(h.method, 'POST');
    assert.match(h.headers['user-agent'], /^PlexMediaServer\/\d+\.\d+/);
    assert.equal(h.payloadIsField, true);
    assert.deepEqual(h.parts, ['payload'], 'no thumb (§4.3)');
    assert.deepEqual(Object.keys(p).slice(0, 3), ['event', 'user', 'owner']);
    assert.equal(p.owner, true, "the owner's hook");
    assert.equal(p.Server.title, 'alice-nas');
    assert.equal(p.Server.uuid, seeded('alice-nas').machineIdentifier);
    assert.equal(p.Account.title, 'alice', "an owner-only event about the server, in the owner's name");
    assert.equal(p.Metadata, undefined, 'about no item');
    assert.equal(p.Player, undefined, 'from no player');
  } finally {
    await register('alice', []);
    await rcv.close();
  }
});

test('a receiver that is down does not hold up playback or notifications', async () => {
  const rcv = await receiver();
  const deadURL = rcv.url;
  await rcv.close(); // nothing listens there any more
  try {
    assert.equal((await register('alice', [deadURL])).status, 201);
    const srv = await connect('alice');
    const [movie] = await movies(srv, 1);
    const player = new Player('alice');
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) await player.report(movie, i % 2 ? 'paused' : 'playing', i * 1000);
    await player.report(movie, 'stopped', 5000);
    assert.ok(Date.now() - t0 < 4000, 'timeline reports answered while deliveries fail');
  } finally {
    await register('alice', []);
  }
});

test('webhooks are a Plex Pass feature: bob cannot register one', async () => {
  const res = await register('bob', ['http://127.0.0.1:9/hook']);
  assert.equal(res.status, 403);
});
