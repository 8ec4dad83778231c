// Watch state per account as @ctrl/plex reads it from the item (reference plex-live.md §2.5):
// a report past the played threshold counts a view (viewCount +1, isWatched) and clears the
// resume point; a stop half-way stores viewOffset for the account that played, not for others.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Player, connect, movies } from './live.mjs';

test('played past the threshold: viewCount +1 and isWatched for the account that played', async () => {
  const srv = await connect('alice');
  const [, , movie] = await movies(srv, 3);
  await movie.reload();
  const views = movie.viewCount ?? 0;
  const player = new Player('alice');
  await player.report(movie, 'playing', Math.floor(movie.duration * 0.5));
  await player.report(movie, 'playing', Math.floor(movie.duration * 0.95));
  await movie.reload();
  assert.equal(movie.viewCount, views + 1, 'viewCount +1 once past the threshold, during playback');
  assert.equal(movie.isWatched, true);
  assert.ok(movie.lastViewedAt instanceof Date, 'lastViewedAt set');
  await player.report(movie, 'stopped', movie.duration);
  await movie.reload();
  assert.equal(movie.viewCount, views + 1, 'the stop counts no second view');
  assert.equal(movie.viewOffset ?? 0, 0, 'resume point cleared once played');
});

test('a stop half-way stores the resume point for the account that played only', async () => {
  const alice = await connect('alice');
  const bob = await connect('bob'); // Movies is shared with bob
  const [, , , movie] = await movies(alice, 4);
  const player = new Player('alice');
  await player.report(movie, 'playing', 60_000);
  await player.report(movie, 'stopped', 120_000);
  await movie.reload();
  assert.equal(movie.viewOffset, 120_000, "alice's resume point");
  const [bobs] = (await movies(bob, 4)).slice(3);
  assert.equal(String(bobs.ratingKey), String(movie.ratingKey));
  await bobs.reload();
  assert.equal(bobs.viewOffset ?? 0, 0, "bob's view of the item has no resume point of alice's");
});
