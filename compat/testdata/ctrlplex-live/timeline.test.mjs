// `timeline` notifications of library changes made through @ctrl/plex's edit()
// (reference plex-live.md §1.7, §5 #13): identifier com.plexapp.plugins.library, ids as
// strings, `type` and `state` integers, state 5 (processed) for an edited item.
import test from 'node:test';
import assert from 'node:assert/strict';
import { AlertListener } from '@ctrl/plex';
import { Collector, connect, movies } from './live.mjs';

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
