// @ctrl/plex's playlists and play queues against alice-nas: create, read, add, remove, rename
// and delete a playlist; create a play queue from items, from a playlist and from one item, and
// add, move, remove and clear its items. Playlists belong to the account that made them.
import test from 'node:test';
import assert from 'node:assert/strict';
import { NotFound, PlayQueue, Playlist, PlexServer } from '@ctrl/plex';
import { server, tokenOf } from '../env.mjs';

const nas = server('alice-nas');

async function connect(username) {
  const s = new PlexServer(nas.url, tokenOf(username));
  await s.connect();
  return s;
}

async function movies(s, n) {
  const library = await s.library();
  const section = await library.section('Movies');
  const all = await section.all();
  assert.ok(all.length >= n, `Movies has ${all.length} items`);
  return all.slice(0, n);
}

test('a playlist: create, items, add, remove, rename, delete', async () => {
  const s = await connect('alice');
  const [a, b, c, d] = await movies(s, 4);

  const pl = await Playlist.create(s, 'Road trip', { items: [a, b, c] });
  assert.equal(pl.title, 'Road trip');
  assert.equal(pl.playlistType, 'video');
  assert.equal(pl.smart, false);
  assert.equal(pl.leafCount, 3);
  assert.deepEqual((await pl.items()).map((x) => x.ratingKey), [a.ratingKey, b.ratingKey, c.ratingKey]);
  assert.equal((await pl.item(b.title)).ratingKey, b.ratingKey);

  await pl.addItems([d]);
  pl._items = null; // the client caches items; read them again as a new session would
  assert.deepEqual((await pl.items()).map((x) => x.ratingKey), [a, b, c, d].map((x) => x.ratingKey));

  await pl.removeItems([b]);
  pl._items = null;
  assert.deepEqual((await pl.items()).map((x) => x.ratingKey), [a, c, d].map((x) => x.ratingKey));

  await Playlist.update(s, pl.ratingKey, { title: 'Long trip', summary: 'three films' });
  const again = await s.query(`/playlists/${pl.ratingKey}`);
  assert.equal(again.MediaContainer.Metadata[0].title, 'Long trip');
  assert.equal(again.MediaContainer.Metadata[0].summary, 'three films');
  assert.equal(again.MediaContainer.Metadata[0].leafCount, 3);

  // bob does not see alice's playlist.
  const bob = await connect('bob');
  await assert.rejects(bob.query(`/playlists/${pl.ratingKey}`), (err) => err.statusCode === 404 || err.status === 404);
  const bobs = await bob.query('/playlists');
  assert.ok(!(bobs.MediaContainer.Metadata ?? []).some((x) => x.ratingKey === pl.ratingKey));

  await pl.delete();
  await assert.rejects(s.query(`/playlists/${pl.ratingKey}`), (err) => err.statusCode === 404 || err.status === 404);
});

test('a play queue: from items, add next, move, remove, clear', async () => {
  const s = await connect('alice');
  const [a, b, c, d] = await movies(s, 4);

  let pq = await PlayQueue.create(s, [a, b, c], { startItem: b });
  assert.ok(pq.playQueueID > 0);
  assert.equal(pq.playQueueTotalCount, 3);
  assert.equal(pq.playQueueSelectedItemOffset, 1);
  assert.equal(pq.playQueueSelectedMetadataItemID, Number(b.ratingKey));
  assert.deepEqual(pq.items.map((x) => x.ratingKey), [a, b, c].map((x) => x.ratingKey));
  const version = pq.playQueueVersion;

  await pq.addItem(d, { playNext: true });
  assert.deepEqual(pq.items.map((x) => x.ratingKey), [a, b, d, c].map((x) => x.ratingKey));
  assert.ok(pq.playQueueVersion > version);
  assert.equal(String(pq.playQueueLastAddedItemID), String(pq.getQueueItem(d).playQueueItemID));

  await pq.moveItem(c, { after: a });
  assert.deepEqual(pq.items.map((x) => x.ratingKey), [a, c, b, d].map((x) => x.ratingKey));

  await pq.removeItem(a);
  assert.deepEqual(pq.items.map((x) => x.ratingKey), [c, b, d].map((x) => x.ratingKey));

  pq = await PlayQueue.get(s, pq.playQueueID);
  assert.equal(pq.playQueueTotalCount, 3);

  await pq.clear();
  assert.equal(pq.playQueueTotalCount, 0);
  assert.equal(pq.items.length, 0);
});

test('a play queue from a playlist and from one item', async () => {
  const s = await connect('alice');
  const [a, b, c] = await movies(s, 3);
  const pl = await Playlist.create(s, 'Queue me', { items: [c, a] });

  const fromList = await PlayQueue.create(s, pl);
  assert.deepEqual(fromList.items.map((x) => x.ratingKey), [c.ratingKey, a.ratingKey]);

  const one = await s.createPlayQueue(b);
  assert.equal(one.playQueueTotalCount, 1);
  assert.equal(one.items[0].ratingKey, b.ratingKey);
  assert.equal(one.items[0].title, b.title);

  // A play queue is its maker's: bob cannot open alice's.
  const bob = await connect('bob');
  await assert.rejects(PlayQueue.get(bob, one.playQueueID), (err) => err.statusCode === 404 || err.status === 404 || err instanceof NotFound);
  await pl.delete();
});
