// `timeline` notifications of library changes made through @ctrl/plex's edit()
// (reference plex-live.md §1.7, §5 #13): identifier com.plexapp.plugins.library, ids as
// strings, `type` and `state` integers, state 5 (processed) for an edited item. A friend's
// stream carries changes of the sections shared with him only (§1.2: shared users see their
// own events; the emulator never shows a friend a section not shared with him).
import test from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { AlertListener } from '@ctrl/plex';
import { server as seeded, tokenOf } from '../env.mjs';
import { Collector, connect, movies, sleep } from './live.mjs';

test('edit() of a movie: timeline entry in state 5 with string ids and integer type', async () => {
  const srv = await connect('alice');
  const movie = (await movies(srv, 14))[13];
  const frames = new Collector();
  const listener = new AlertListener(srv, (c) => frames.push(c));
  await listener.run();
  try {
    await movie.edit({ 'title.value': 'Renamed by compat', 'title.locked': 1 });
    const got = await frames.until((fs) => fs.some((c) => c.type === 'timeline' && c.TimelineEntry[0].itemID === String(movie.ratingKey)), 5000, 'a timeline entry for the item');
    const e = got.find((c) => c.type === 'timeline' && c.TimelineEntry[0].itemID === String(movie.ratingKey)).TimelineEntry[0];
    assert.equal(e.identifier, 'com.plexapp.plugins.library');
    assert.equal(e.sectionID, '1');
    assert.equal(e.type, 1, 'movie is metadata type 1, an integer');
    assert.equal(e.state, 5);
    assert.equal(e.title, 'Renamed by compat');
    assert.equal(e.metadataState, undefined, 'no metadataState once processed: Tautulli counts it done (§3.3)');
    assert.equal(typeof e.updatedAt, 'number');
    await movie.reload();
    assert.equal(movie.title, 'Renamed by compat');
  } finally {
    listener.stop();
  }
});

test("bob's stream: changes in Movies (shared with him), none in TV Shows (not shared)", async () => {
  const srv = await connect('alice');
  const movie = (await movies(srv, 15))[14];
  const show = (await srv.query('/library/sections/2/all')).MediaContainer.Metadata[1];
  const bobFrames = new Collector();
  const bob = new WebSocket(`${seeded('alice-nas').url.replace(/^http/, 'ws')}/:/websockets/notifications?X-Plex-Token=${tokenOf('bob')}`);
  bob.on('message', (d) => bobFrames.push(JSON.parse(d.toString()).NotificationContainer));
  await new Promise((r, j) => { bob.once('open', r); bob.once('error', j); });
  try {
    await srv.query(`/library/sections/2/all?type=2&id=${show.ratingKey}&title.value=${encodeURIComponent('Not for Bob')}`, 'put');
    await movie.edit({ 'title.value': 'For Bob too' });
    const got = await bobFrames.until((fs) => fs.some((c) => c.type === 'timeline' && c.TimelineEntry[0].itemID === String(movie.ratingKey)), 5000, 'the Movies change');
    await sleep(200);
    const sections = got.filter((c) => c.type === 'timeline').map((c) => c.TimelineEntry[0].sectionID);
    assert.deepEqual([...new Set(sections)], ['1'], `timeline sections on bob's stream: ${sections}`);
    assert.ok(!JSON.stringify(bobFrames.items).includes('Not for Bob'));
  } finally {
    bob.close();
  }
});
