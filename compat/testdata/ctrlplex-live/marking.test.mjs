// The playback endpoints around a session (reference plex-live.md §2.1, §2.2, §2.3, §5 #9,
// #11, #12): @ctrl/plex's markWatched (/:/scrobble) marks played with no history row;
// /:/progress is the owner's (401 for a friend); an admin's terminate ends the session and the
// player's next report is answered with terminationCode/terminationText; playQueueItemID
// reaches the `playing` frame as a number.
import test from 'node:test';
import assert from 'node:assert/strict';
import { AlertListener } from '@ctrl/plex';
import { server as seeded, tokenOf } from '../env.mjs';
import { Collector, Player, connect, movies } from './live.mjs';

const base = seeded('alice-nas').url;

test("@ctrl/plex's markWatched (/:/scrobble) marks played without a history row", async () => {
  const srv = await connect('alice');
  const movie = (await movies(srv, 8))[7];
  await movie.reload();
  const views = movie.viewCount ?? 0;
  const rows = (await srv.history(100, undefined, movie.ratingKey)).length;
  await movie.markWatched(); // reloads the item itself
  assert.equal(movie.viewCount, views + 1);
  assert.equal(movie.isWatched, true);
  assert.equal((await srv.history(100, undefined, movie.ratingKey)).length, rows, '/:/scrobble writes no history (§2.2)');
});

test('/:/progress sets the owner\'s resume point; a friend gets 401 (§2.2)', async () => {
  const srv = await connect('alice');
  const movie = (await movies(srv, 9))[8];
  const q = `key=${movie.ratingKey}&identifier=com.plexapp.plugins.library&time=75000&state=stopped`;
  const bob = await fetch(`${base}/:/progress?${q}`, { headers: { 'X-Plex-Token': tokenOf('bob') } });
  assert.equal(bob.status, 401);
  await srv.query(`/:/progress?${q}`);
  await movie.reload();
  assert.equal(movie.viewOffset, 75000);
});

test('/:/timeline without X-Plex-Client-Identifier is refused (§2.1, §5 #9)', async () => {
  const srv = await connect('alice');
  const [movie] = await movies(srv, 1);
  const res = await fetch(`${base}/:/timeline?ratingKey=${movie.ratingKey}&state=playing&time=0`, { headers: { 'X-Plex-Token': tokenOf('alice') } });
  assert.equal(res.status, 400);
});

test('terminate: one stopped frame, then the player is told terminationCode 2006 with the reason', async () => {
  const srv = await connect('alice');
  const movie = (await movies(srv, 10))[9];
  const frames = new Collector();
  const listener = new AlertListener(srv, (c) => frames.push(c));
  await listener.run();
  try {
    const player = new Player('bob', { name: "Bob's TV" });
    const q = (state, time, pq) =>
      fetch(`${base}/:/timeline?ratingKey=${movie.ratingKey}&key=/library/metadata/${movie.ratingKey}&state=${state}&time=${time}&duration=${movie.duration}&playQueueItemID=${pq}`,
        { headers: player.headers() });
    assert.equal((await q('playing', 1000, 5001)).status, 200);
    const mine = (f) => f.filter((c) => c.type === 'playing').map((c) => c.PlaySessionStateNotification[0]).filter((e) => e.clientIdentifier === player.clientIdentifier);
    const [e] = mine(await frames.until((f) => mine(f).length === 1));
    assert.equal(e.playQueueItemID, 5001, 'playQueueItemID, an integer (§1.6)');
    const s = ((await srv.query('/status/sessions')).MediaContainer.Metadata ?? []).find((m) => m.sessionKey === e.sessionKey);
    await srv.query(`/status/sessions/terminate?sessionId=${encodeURIComponent(s.Session.id)}&reason=${encodeURIComponent('Go Away')}`, 'post');
    await frames.until((f) => mine(f).some((x) => x.state === 'stopped'), 5000, 'stopped after terminate');
    const next = await (await q('playing', 11000, 5001)).json();
    assert.equal(next.MediaContainer.terminationCode, 2006);
    assert.equal(next.MediaContainer.terminationText, 'Admin terminated playback with reason: Go Away');
    assert.deepEqual(mine(frames.items).map((x) => x.state), ['playing', 'stopped'], 'the terminated report starts no new session');
  } finally {
    listener.stop();
  }
});
