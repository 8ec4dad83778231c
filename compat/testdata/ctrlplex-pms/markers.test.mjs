// @ctrl/plex 3.12.1, unchanged, on what a detail reload carries besides the item: intro and
// credits markers (its reload asks for includeMarkers=1, reference plex-beyond-spec.md B.2),
// chapters, and a movie's extras (its trailer, primaryExtraKey), which a PMS sends only when
// asked with includeExtras=1.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Clip, Extra, Movie, PlexServer } from '@ctrl/plex';
import { tokenOf, server } from '../env.mjs';

async function owner() {
  const plex = new PlexServer(server('alice-nas').url, tokenOf('alice'));
  await plex.connect();
  return plex;
}

test("a movie's credits marker, read by hasCreditsMarker() through its own reload", async () => {
  const plex = await owner();
  const movies = await (await plex.library()).section('Movies');
  const movie = await movies.get('Elephants Dream');
  // A section listing carries no markers: the object is partial and knows it.
  assert.deepEqual(movie.markers, []);
  assert.equal(movie.isFullObject, false);
  assert.equal(await movie.hasCreditsMarker(), true);
  assert.equal(movie.isFullObject, true, 'hasCreditsMarker() reloaded the movie');
  assert.match(movie.initpath, /[?&]includeMarkers=1(&|$)/);
  assert.equal(await movie.hasIntroMarker(), false, 'a movie has no intro marker');
  assert.equal(movie.markers.length, 1);
  const [credits] = movie.markers;
  assert.equal(credits.type, 'credits');
  assert.equal(typeof credits.startTimeOffset, 'number');
  assert.equal(typeof credits.endTimeOffset, 'number');
  assert.ok(credits.startTimeOffset > 0 && credits.startTimeOffset < credits.endTimeOffset);
  assert.ok(credits.endTimeOffset <= movie.duration, 'the credits end within the film');
  // Without includeMarkers a PMS sends none; @ctrl/plex's parse then has none either.
  const bare = new Movie(plex, (await plex.query(`/library/metadata/${movie.ratingKey}`)).MediaContainer.Metadata[0]);
  assert.deepEqual(bare.markers, []);
});

test("an episode's intro and credits markers, in order, and its chapters list", async () => {
  const plex = await owner();
  const shows = await (await plex.library()).section('TV Shows');
  const [season] = await (await shows.get('Game of Thrones')).seasons();
  const [episode] = await season.episodes();
  assert.equal(episode.title, 'Winter Is Coming');
  assert.deepEqual(episode.markers, [], 'a children listing carries no markers');
  assert.equal(await episode.hasIntroMarker(), true);
  assert.equal(await episode.hasCreditsMarker(), true);
  assert.deepEqual(episode.markers.map((m) => m.type), ['intro', 'credits']);
  const [intro, credits] = episode.markers;
  assert.ok(intro.startTimeOffset < intro.endTimeOffset);
  assert.ok(intro.endTimeOffset <= credits.startTimeOffset, 'the intro ends before the credits start');
  assert.ok(credits.endTimeOffset <= episode.duration);
  // @ctrl/plex's Episode keeps an empty list when the file has no chapters.
  assert.deepEqual(episode.chapters, []);
});

test("a movie's trailer: primaryExtraKey, and extras() once the reload asked for them", async () => {
  const plex = await owner();
  const movies = await (await plex.library()).section('Movies');
  const movie = await movies.get('Sintel');
  assert.match(movie.primaryExtraKey, /^\/library\/metadata\/\d+$/, 'the listing names the trailer');
  // @ctrl/plex's limitation: extras() reads Extras from a reload with its default includes,
  // which say includeExtras=0 (python-plexapi's list, B.2), so a PMS sends no Extras and
  // extras() iterates undefined. python-plexapi fetches {key}/extras instead.
  await assert.rejects(movie.extras(), TypeError);
  // An application that asks for the extras on the reload gets them.
  await movie.reload(undefined, { includeExtras: 1 });
  assert.match(movie.initpath, /[?&]includeExtras=1(&|$)/);
  const extras = await movie.extras();
  assert.equal(extras.length, 1);
  const [trailer] = extras;
  assert.ok(trailer instanceof Extra && trailer instanceof Clip);
  assert.equal(trailer.type, 'clip');
  assert.equal(trailer.key, movie.primaryExtraKey, 'the primary extra is the trailer');
  assert.equal(trailer.title, 'Sintel');
  assert.ok(trailer.ratingKey && trailer.ratingKey !== movie.ratingKey);
  // The trailer is an item of its own, at its key.
  const clip = (await plex.query(trailer.key)).MediaContainer.Metadata[0];
  assert.equal(clip.type, 'clip');
  assert.equal(clip.subtype, 'trailer');
  assert.equal(clip.extraType, 1);
  assert.ok(clip.duration > 0 && clip.duration < movie.duration);
  assert.ok(clip.Media[0].Part[0].key, 'the trailer is playable');
  // It is no library item: the section does not list it.
  const all = await movies.all();
  assert.ok(!all.some((m) => m.ratingKey === trailer.ratingKey));
});
