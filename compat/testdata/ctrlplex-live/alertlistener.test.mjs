// @ctrl/plex's AlertListener (reference plex-live.md §3.4) on the emulator's notification
// websocket while a player plays a movie through /:/timeline reports (§2.1, §2.3): the
// listener must get one `playing` frame per report, in order, with the fields of §1.6; the
// session must show in /status/sessions while it plays and vanish on stop (§2.3); passing the
// played threshold must mark the movie watched and write a history row (§2.5).
import test from 'node:test';
import assert from 'node:assert/strict';
import { AlertListener } from '@ctrl/plex';
import { Collector, Player, connect, movies, sleep } from './live.mjs';

/** The PlaySessionStateNotification entries of player's frames, in arrival order. */
function playingOf(frames, player) {
  return frames
    .filter((c) => c.type === 'playing')
    .map((c) => c.PlaySessionStateNotification[0])
    .filter((e) => e.clientIdentifier === player.clientIdentifier);
}

/** The session of sessionKey in @ctrl/plex's parse of /status/sessions, or undefined. */
async function sessionOf(srv, sessionKey) {
  const data = await srv.query('/status/sessions');
  const mc = data.MediaContainer;
  assert.equal(typeof mc.size, 'number');
  assert.equal(mc.size, (mc.Metadata ?? []).length, 'MediaContainer.size counts its Metadata');
  return (mc.Metadata ?? []).find((m) => m.sessionKey === sessionKey);
}

test('AlertListener sees a player play, pause, resume, seek and stop, in order', async () => {
  const srv = await connect('alice');
  const [movie] = await movies(srv, 1);
  const frames = new Collector();
  const listener = new AlertListener(srv, (container) => frames.push(container));
  await listener.run();
  try {
    const player = new Player('alice');
    const d = movie.duration;
    const steps = [
      ['playing', 0],
      ['playing', 10_000],
      ['paused', 20_000],
      ['paused', 20_000], // a paused player keeps reporting: one frame per report (§1.6, §5 #8)
      ['playing', 20_000], // resume
      ['playing', Math.floor(d / 2)], // seek
      ['stopped', Math.floor(d / 2) + 5_000],
    ];
    let sessionKey;
    for (const [i, [state, time]] of steps.entries()) {
      const mc = await player.report(movie, state, time);
      assert.equal(mc.size, 0, `/:/timeline answers MediaContainer size 0 (§2.1)`);
      const got = await frames.until((f) => playingOf(f, player).length === i + 1, 5000, `playing frame ${i + 1} (${state})`);
      const e = playingOf(got, player)[i];
      assert.equal(e.state, state, `frame ${i + 1}`);
      assert.equal(e.viewOffset, time, `frame ${i + 1}: viewOffset is the reported time, a number of ms`);
      assert.equal(e.ratingKey, String(movie.ratingKey));
      assert.equal(e.key, `/library/metadata/${movie.ratingKey}`);
      assert.match(e.sessionKey, /^\d+$/, 'sessionKey is a string of digits (§1.6)');
      assert.equal(e.guid, '');
      assert.equal(e.url, '');
      assert.equal(e.transcodeSession, undefined, 'no transcodeSession on a direct-play session');
      sessionKey ??= e.sessionKey;
      assert.equal(e.sessionKey, sessionKey, 'one sessionKey for the whole playback');

      if (i === 1 || i === 2) {
        // @ctrl/plex's own request for /status/sessions, parsed as JSON like all its queries.
        const s = await sessionOf(srv, sessionKey);
        assert.ok(s, `session ${sessionKey} listed in /status/sessions while ${state}`);
        assert.equal(s.ratingKey, String(movie.ratingKey));
        assert.equal(s.key, `/library/metadata/${movie.ratingKey}`);
        assert.equal(s.title, movie.title);
        assert.equal(s.viewOffset, time);
        assert.equal(s.User.title, 'alice');
        assert.equal(s.Player.machineIdentifier, player.clientIdentifier);
        assert.equal(s.Player.state, state, 'Player.state is the last reported state (§2.3)');
        assert.equal(s.Player.product, player.product);
        assert.equal(s.Player.title, player.name);
        assert.equal(s.Player.platform, 'Linux');
        assert.equal(typeof s.User.id, 'string', 'User.id is a string in the spec');
        assert.equal(s.Session.location, 'lan', 'a loopback player is on the LAN');
        assert.equal(typeof s.Session.bandwidth, 'number');
        assert.equal(typeof s.Session.id, 'string');
        assert.ok(s.Session.id.length > 0);
      }
    }
    // Every frame is a container of exactly one entry (§1.4).
    for (const c of frames.items) {
      assert.deepEqual(Object.keys(c), ['type', 'size', 'PlaySessionStateNotification'].slice(0, Object.keys(c).length));
      assert.equal(c.size, 1);
    }
    await sleep(300);
    const mine = playingOf(frames.items, player);
    assert.deepEqual(mine.map((e) => e.state), steps.map(([s]) => s), 'exactly one frame per report, one stopped');
    assert.equal(await sessionOf(srv, sessionKey), undefined, 'the session is gone from /status/sessions at once on stop');
  } finally {
    listener.stop();
  }
});

test('a report past 90% scrobbles during playback: one history row, as @ctrl/plex reads history', async () => {
  const srv = await connect('alice');
  const [, movie] = await movies(srv, 2);
  const before = await srv.history(100, undefined, movie.ratingKey);
  const frames = new Collector();
  const listener = new AlertListener(srv, (c) => frames.push(c));
  await listener.run();
  try {
    const player = new Player('alice', { name: 'Bedroom', method: 'POST' });
    const d = movie.duration;
    await player.report(movie, 'playing', Math.floor(d * 0.5));
    await frames.until((f) => playingOf(f, player).length === 1, 5000, 'first playing frame');
    assert.equal((await srv.history(100, undefined, movie.ratingKey)).length, before.length, 'no row at 50%');
    await player.report(movie, 'playing', Math.floor(d * 0.95));
    await frames.until((f) => playingOf(f, player).length === 2, 5000, 'two playing frames');

    // Written during playback (§2.3 step 4), before any stop.
    const after = await srv.history(100, undefined, movie.ratingKey);
    assert.equal(after.length, before.length + 1, 'one new history row');
    const row = after[0]; // @ctrl/plex asks for sort=viewedAt:desc
    assert.equal(String(row.ratingKey), String(movie.ratingKey));
    assert.equal(row.key, `/library/metadata/${movie.ratingKey}`);
    assert.equal(row.title, movie.title);
    assert.equal(row.type, 'movie');
    assert.match(row.historyKey, /^\/status\/sessions\/history\/\d+$/);
    assert.equal(typeof row.viewedAt, 'number');
    assert.ok(after.slice(1).every((r) => r.viewedAt <= row.viewedAt), 'newest first');
    assert.equal(typeof row.accountID, 'number');

    // More reports and the stop add no row: one view per session.
    await player.report(movie, 'playing', d - 1000);
    await player.report(movie, 'stopped', d);
    await frames.until((f) => playingOf(f, player).some((e) => e.state === 'stopped'), 5000, 'stopped');
    assert.equal((await srv.history(100, undefined, movie.ratingKey)).length, before.length + 1);
  } finally {
    listener.stop();
  }
});
