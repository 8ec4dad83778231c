// The notification websocket as the `ws` package (the one @ctrl/plex dials with) sees it, frame
// by frame (reference plex-live.md §1.1–1.4, §1.6, §1.10, §5 #1–#4, #7): both path spellings,
// the token in the query or the header, 401 before the upgrade, one NotificationContainer per
// text frame, `filters` honoured, and the roles of §1.2 for bob, a friend.
import test from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { emulator, server as seeded, tokenOf } from '../env.mjs';
import { Collector, Player, connect, movies, sleep } from './live.mjs';

const base = seeded('alice-nas').url.replace(/^http/, 'ws');

/** Opens a websocket; resolves {ws, frames} once open, frames collecting {text, binary, json}. */
function open(path, { username = 'alice', query = {}, header = false } = {}) {
  const q = new URLSearchParams(query);
  const headers = {};
  if (header) headers['X-Plex-Token'] = tokenOf(username);
  else if (username) q.set('X-Plex-Token', tokenOf(username));
  const qs = q.toString();
  const ws = new WebSocket(`${base}${path}${qs ? `?${qs}` : ''}`, { headers });
  const frames = new Collector();
  ws.on('message', (data, isBinary) => {
    const text = data.toString();
    frames.push({ text, binary: isBinary, json: JSON.parse(text) });
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, frames }));
    ws.once('unexpected-response', (req, res) => {
      req.destroy(); // ws leaves a refused handshake's connection to whoever listens for this
      reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode }));
    });
    ws.once('error', reject);
  });
}

/** Waits for the close of ws. */
const closed = (ws) => (ws.readyState === WebSocket.CLOSED ? Promise.resolve() : new Promise((r) => ws.once('close', r)));

/** The entries of type typ in frames whose entry concerns player (playing) or any (others). */
const entries = (frames, typ, player) =>
  frames
    .filter((f) => f.json.NotificationContainer.type === typ)
    .map((f) => Object.values(f.json.NotificationContainer)[2][0])
    .filter((e) => !player || e.clientIdentifier === undefined || e.clientIdentifier === player.clientIdentifier);

test('both paths, token in query or header: one NotificationContainer of one entry per text frame', async () => {
  const srv = await connect('alice');
  const [movie] = await movies(srv, 1);
  const socks = await Promise.all([
    open('/:/websockets/notifications'),
    open('/:/websocket/notifications'),
    open('/:/websockets/notifications', { header: true }),
  ]);
  try {
    const player = new Player('alice');
    await player.report(movie, 'playing', 1000);
    await player.report(movie, 'stopped', 2000);
    for (const { frames } of socks) {
      await frames.until((fs) => entries(fs, 'playing', player).some((e) => e.state === 'stopped'), 5000, 'stopped frame');
    }
    const texts = socks.map(({ frames }) => frames.items.filter((f) => f.text.includes(player.clientIdentifier)).map((f) => f.text));
    assert.deepEqual(texts[1], texts[0], 'the singular path sends the same frames');
    assert.deepEqual(texts[2], texts[0], 'a header token gets the same frames');
    for (const f of socks[0].frames.items) {
      assert.equal(f.binary, false, 'text opcode');
      assert.deepEqual(Object.keys(f.json), ['NotificationContainer']);
      const c = f.json.NotificationContainer;
      const keys = Object.keys(c);
      assert.deepEqual(keys.slice(0, 2), ['type', 'size'], 'type, size, then the child (§1.4)');
      assert.equal(keys.length, 3, 'exactly one child array');
      assert.ok(Array.isArray(c[keys[2]]));
      assert.equal(c.size, c[keys[2]].length);
      assert.equal(c.size, 1);
      assert.ok(!/\n/.test(f.text), 'compact JSON');
    }
    const mine = entries(socks[0].frames.items, 'playing', player);
    assert.deepEqual(mine.map((e) => [e.state, e.viewOffset]), [['playing', 1000], ['stopped', 2000]]);
    assert.deepEqual(Object.keys(mine[0]), ['sessionKey', 'clientIdentifier', 'guid', 'ratingKey', 'url', 'key', 'viewOffset', 'state'],
      'the fields of a captured direct-play frame, in captured order (§1.6)');
  } finally {
    for (const { ws } of socks) ws.close();
  }
});

test('no token or a bad one: 401 before the upgrade', async () => {
  await assert.rejects(open('/:/websockets/notifications', { username: '' }), { status: 401 });
  await assert.rejects(open('/:/websockets/notifications', { username: '', query: { 'X-Plex-Token': 'not-a-token' } }), { status: 401 });
  await assert.rejects(open('/:/websocket/notifications', { username: '' }), { status: 401 });
  await assert.rejects(open('/:/websockets/notifications', { username: 'dave' }), { status: 401 }, 'dave has no access to alice-nas');
});

test('filters: exact type names, a leading "-" negates the whole list', async () => {
  const srv = await connect('alice');
  const [, movie] = await movies(srv, 2);
  const all = await open('/:/websockets/notifications', { query: { filters: '' } });
  const onlyPlaying = await open('/:/websockets/notifications', { query: { filters: 'playing' } });
  const notPlaying = await open('/:/websockets/notifications', { query: { filters: '-playing' } });
  const updates = await open('/:/websockets/notifications', { query: { filters: 'transcodeSession.update' } });
  const twoTypes = await open('/:/websocket/notifications', { query: { filter: 'transcodeSession.start,transcodeSession.end' } });
  const prefix = await open('/:/websockets/notifications', { query: { filters: 'transcodeSession' } });
  const socks = [all, onlyPlaying, notPlaying, updates, twoTypes, prefix];
  try {
    const player = new Player('alice');
    const decision = await player.refuseDirectPlay(movie);
    assert.equal(decision.generalDecisionCode, 1001, 'the server agrees to transcode');
    await player.report(movie, 'playing', 0);
    await player.report(movie, 'playing', 10_000);
    await player.report(movie, 'stopped', 20_000);
    await all.frames.until((fs) => entries(fs, 'transcodeSession.end').length >= 1 && entries(fs, 'playing', player).some((e) => e.state === 'stopped'), 5000, 'all of the playback');
    await sleep(300);
    const types = ({ frames }) => frames.items.map((f) => f.json.NotificationContainer.type);
    const seen = types(all);
    for (const t of ['playing', 'transcodeSession.start', 'transcodeSession.update', 'transcodeSession.end']) {
      assert.ok(seen.includes(t), `filters= (empty) lets ${t} through; saw ${seen}`);
    }
    assert.ok(types(onlyPlaying).length > 0 && types(onlyPlaying).every((t) => t === 'playing'), `filters=playing: ${types(onlyPlaying)}`);
    assert.ok(types(notPlaying).length > 0 && !types(notPlaying).includes('playing'), `filters=-playing: ${types(notPlaying)}`);
    assert.ok(types(updates).length > 0 && types(updates).every((t) => t === 'transcodeSession.update'), `filters=transcodeSession.update: ${types(updates)}`);
    assert.deepEqual(types(twoTypes), ['transcodeSession.start', 'transcodeSession.end'], 'filter= (the spec\'s name) with a list');
    assert.deepEqual(types(prefix), [], 'a type name is matched exactly, not as a prefix');

    // The transcoding session's playing frames carry the bare id, the stopped frame none (§1.6, §1.10).
    const playing = entries(all.frames.items, 'playing', player);
    const id = playing[0].transcodeSession;
    assert.match(id ?? '', /^[a-z0-9]{16,}$/, 'bare transcode id while transcoding');
    assert.equal(playing[1].transcodeSession, id);
    assert.equal(playing.at(-1).state, 'stopped');
    assert.equal(playing.at(-1).transcodeSession, undefined, 'no transcodeSession on stopped');
    const start = entries(all.frames.items, 'transcodeSession.start')[0];
    assert.equal(start.key, `/transcode/sessions/${id}`, 'TranscodeSession.key is /transcode/sessions/<id>');
    assert.equal(typeof start.progress, 'number');
    assert.equal(typeof start.throttled, 'boolean', 'JSON booleans in notifications');
    assert.equal(entries(all.frames.items, 'transcodeSession.end')[0].complete, true);
  } finally {
    for (const { ws } of socks) ws.close();
  }
});

test('roles (§1.2): bob, a friend, may subscribe and sees his own playback only; alice sees his', async () => {
  const srv = await connect('alice');
  const [movie] = await movies(srv, 1); // Movies is shared with bob
  const bobs = await open('/:/websockets/notifications', { username: 'bob' });
  const alices = await open('/:/websockets/notifications');
  try {
    const bobPlayer = new Player('bob', { name: "Bob's phone", product: 'Plex for Android' });
    const alicePlayer = new Player('alice');
    await alicePlayer.report(movie, 'playing', 5000);
    await bobPlayer.report(movie, 'playing', 7000);
    await alicePlayer.report(movie, 'stopped', 6000);
    await bobPlayer.report(movie, 'stopped', 8000);
    await bobs.frames.until((fs) => entries(fs, 'playing', bobPlayer).some((e) => e.state === 'stopped'), 5000, "bob's stopped frame on bob's socket");
    await alices.frames.until((fs) => entries(fs, 'playing', bobPlayer).some((e) => e.state === 'stopped'), 5000, "bob's stopped frame on alice's socket");
    await sleep(300);
    const bobSees = bobs.frames.items.map((f) => Object.values(f.json.NotificationContainer)[2][0].clientIdentifier);
    assert.ok(!bobSees.includes(alicePlayer.clientIdentifier), "bob's stream carries nothing of alice's playback");
    assert.deepEqual(entries(bobs.frames.items, 'playing', bobPlayer).map((e) => e.state), ['playing', 'stopped']);
    assert.deepEqual(entries(alices.frames.items, 'playing', bobPlayer).map((e) => e.state), ['playing', 'stopped'], 'the admin sees every account');
    assert.deepEqual(entries(alices.frames.items, 'playing', alicePlayer).map((e) => e.state), ['playing', 'stopped']);
  } finally {
    bobs.ws.close();
    alices.ws.close();
  }
  // /status/sessions is the admin's (§2.3, §5 #10).
  const bob = await connect('bob');
  await assert.rejects(bob.query('/status/sessions'), (err) => err.response?.status === 401 || err.statusCode === 401);
});

test('frames the client sends are ignored; the stream stays open (§1.4)', async () => {
  const { ws, frames } = await open('/:/websockets/notifications');
  try {
    ws.send('{"hello":"server"}');
    ws.send('ping');
    await sleep(200);
    assert.equal(ws.readyState, WebSocket.OPEN);
    const srv = await connect('alice');
    const [movie] = await movies(srv, 1);
    const player = new Player('alice');
    await player.report(movie, 'playing', 0);
    await player.report(movie, 'stopped', 0);
    await frames.until((fs) => entries(fs, 'playing', player).length === 2, 5000, 'two frames after client frames');
  } finally {
    ws.close();
    await closed(ws);
  }
});

test('a dropped stream closes without a close frame (1006), as a network failure would', async () => {
  const { ws } = await open('/:/websockets/notifications');
  const code = new Promise((r) => ws.once('close', (c) => r(c)));
  const res = await fetch(`${emulator.url}/__emulator/notifications/drop`, { method: 'POST', body: new URLSearchParams({ server: 'alice-nas' }) });
  assert.equal(res.status, 200);
  assert.equal(await Promise.race([code, sleep(5000).then(() => 'still open')]), 1006);
});
