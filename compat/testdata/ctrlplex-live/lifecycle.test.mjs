// Sessions that begin or end without a player's own reports (reference plex-live.md §2.3,
// §2.4, §5 #6, #10), seen by @ctrl/plex: playback the control API drives
// (POST /__emulator/playback) notifies like a player's; a player that goes silent is dropped
// after ≈3 minutes with one `stopped` frame; a restarted server drops the stream (the
// AlertListener's socket closes) and counts sessionKeys from 1 again.
import test from 'node:test';
import assert from 'node:assert/strict';
import { AlertListener } from '@ctrl/plex';
import { emulator } from '../env.mjs';
import { Collector, Player, connect, movies, sleep } from './live.mjs';

/** POSTs form to the emulator's control API; answers the response. */
async function control(path, form) {
  const res = await fetch(`${emulator.url}/__emulator/${path}`, { method: 'POST', body: new URLSearchParams(form) });
  if (res.status >= 300) throw new Error(`${path}: HTTP ${res.status}: ${await res.text()}`);
  return res;
}

const playingOf = (frames, clientIdentifier) =>
  frames.filter((c) => c.type === 'playing').map((c) => c.PlaySessionStateNotification[0]).filter((e) => e.clientIdentifier === clientIdentifier);

async function sessions(srv) {
  return (await srv.query('/status/sessions')).MediaContainer.Metadata ?? [];
}

test('POST /__emulator/playback notifies and lists the session like a player', async () => {
  const srv = await connect('alice');
  const [movie] = await movies(srv, 1);
  const frames = new Collector();
  const listener = new AlertListener(srv, (c) => frames.push(c));
  await listener.run();
  try {
    const player = 'compat-control-player';
    await control('playback', { server: 'alice-nas', user: 'bob', item: String(movie.ratingKey), player, state: 'playing', offset: '42000' });
    const [e] = playingOf(await frames.until((f) => playingOf(f, player).length === 1, 5000, 'a playing frame'), player);
    assert.equal(e.state, 'playing');
    assert.equal(e.viewOffset, 42000);
    assert.equal(e.ratingKey, String(movie.ratingKey));
    const s = (await sessions(srv)).find((m) => m.sessionKey === e.sessionKey);
    assert.ok(s, 'listed in /status/sessions');
    assert.equal(s.User.title, 'bob');
    assert.equal(s.Player.machineIdentifier, player);
    await control('playback', { server: 'alice-nas', user: 'bob', item: String(movie.ratingKey), player, state: 'stopped', offset: '50000' });
    await frames.until((f) => playingOf(f, player).some((x) => x.state === 'stopped'), 5000, 'stopped');
    assert.equal((await sessions(srv)).find((m) => m.sessionKey === e.sessionKey), undefined);
  } finally {
    listener.stop();
  }
});

test('a player that stops reporting is dropped after about 3 minutes, with one stopped frame', async () => {
  const srv = await connect('alice');
  const [movie] = await movies(srv, 1);
  const frames = new Collector();
  const listener = new AlertListener(srv, (c) => frames.push(c));
  await listener.run();
  try {
    const player = new Player('alice', { name: 'Walked away' });
    await player.report(movie, 'paused', 90_000);
    const [e] = playingOf(await frames.until((f) => playingOf(f, player.clientIdentifier).length === 1), player.clientIdentifier);
    await control('clock', { advance: '1m' });
    assert.ok((await sessions(srv)).some((m) => m.sessionKey === e.sessionKey), 'still there after a minute');
    await control('clock', { advance: '2m30s' });
    await frames.until((f) => playingOf(f, player.clientIdentifier).some((x) => x.state === 'stopped'), 5000, 'stopped after the timeout');
    assert.equal((await sessions(srv)).find((m) => m.sessionKey === e.sessionKey), undefined, 'gone from /status/sessions');
    await control('clock', { advance: '5m' });
    await sleep(200);
    assert.deepEqual(playingOf(frames.items, player.clientIdentifier).map((x) => x.state), ['paused', 'stopped'], 'exactly one stopped');
  } finally {
    listener.stop();
  }
});

test("a restart closes the AlertListener's socket and sessionKeys count from 1 again", async () => {
  const srv = await connect('alice');
  const [movie] = await movies(srv, 1);
  const before = new Player('alice', { name: 'Before' });
  await before.report(movie, 'playing', 1000);
  const frames = new Collector();
  const listener = new AlertListener(srv, (c) => frames.push(c));
  await listener.run();
  const closed = new Promise((r) => listener._ws.once('close', (code) => r(code))); // @ctrl/plex keeps no close handler of its own
  await control('servers/restart', { server: 'alice-nas' });
  const code = await Promise.race([closed, sleep(5000).then(() => 'still open')]);
  assert.notEqual(code, 'still open', 'the stream ends with the server');
  assert.equal((await sessions(srv)).length, 0, 'a restarted server has no sessions');

  const again = new Collector();
  const relistener = new AlertListener(srv, (c) => again.push(c)); // @ctrl/plex has no reconnect: a new listener
  await relistener.run();
  try {
    const after = new Player('alice', { name: 'After' });
    await after.report(movie, 'playing', 2000);
    const [e] = playingOf(await again.until((f) => playingOf(f, after.clientIdentifier).length === 1), after.clientIdentifier);
    assert.equal(e.sessionKey, '1', 'sessionKeys restart after a restart (§2.4)');
    await after.report(movie, 'stopped', 3000);
    await before.report(movie, 'stopped', 4000); // the pre-restart player's session is gone: nothing to stop
    await sleep(200);
    assert.deepEqual(playingOf(again.items, before.clientIdentifier), [], "the old session's player gets no frame for a session the server forgot");
  } finally {
    relistener.stop();
  }
});
