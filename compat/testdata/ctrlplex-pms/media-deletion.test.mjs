// @ctrl/plex 3.12.1, unchanged, deleting an item (PartialPlexObject.delete(): DELETE its key),
// which "has to be enabled under settings > server > library": the server's allowMediaDeletion
// preference, which the server's root also shows (absent when off, reference
// plex-beyond-spec.md B.7). Runs after library.test.mjs, which counts the movies.
import test from 'node:test';
import assert from 'node:assert/strict';
import { PlexServer } from '@ctrl/plex';
import { tokenOf, server } from '../env.mjs';

async function owner() {
  const plex = new PlexServer(server('alice-nas').url, tokenOf('alice'));
  await plex.connect();
  return plex;
}

test('delete() is refused while media deletion is off, and deletes once it is on', async () => {
  let plex = await owner();
  assert.equal(plex.allowMediaDeletion, true);
  const settings = await plex.settings();
  const pref = settings.get('allowMediaDeletion');
  assert.equal(pref.value, true);
  assert.equal(pref.type, 'bool');
  assert.equal(pref.group, 'library');
  // @ctrl/plex's limitation: Settings.save() sends PUT "undefined?setting.id=…" (it uses the
  // instance's key, which only the class has, and the literal name setting.id), so it cannot
  // change a preference; the request it means is PUT /:/prefs?allowMediaDeletion=0.
  pref.set(false);
  await assert.rejects(settings.save(), /undefined\?setting\.id=false.*404/);
  await plex.query('/:/prefs?allowMediaDeletion=0', 'put');
  plex = await owner();
  assert.equal(plex.allowMediaDeletion, undefined, 'absent from the root when off');

  const movies = await (await plex.library()).section('Movies');
  const before = (await movies.all()).length;
  const movie = await movies.get('Quiet River');
  await assert.rejects(movie.delete(), /403/);
  assert.equal((await movies.get('Quiet River')).ratingKey, movie.ratingKey, 'still there');

  await plex.query('/:/prefs?allowMediaDeletion=1', 'put');
  plex = await owner();
  assert.equal(plex.allowMediaDeletion, true);
  await movie.delete();
  await assert.rejects(movies.get('Quiet River'), /Unable to find item/);
  await assert.rejects(plex.query(movie.key), /404/);
  assert.equal((await movies.all()).length, before - 1);
});
