// @ctrl/plex 3.12.1, unchanged, against the emulator's Plex Media Servers: the library, its
// sections, queries with filters and sort, a show's seasons and episodes, history, watch state,
// and a friend who reaches a shared server through plex.tv and its remote connection.
import test from 'node:test';
import assert from 'node:assert/strict';
import { PlexServer, MyPlexAccount } from '@ctrl/plex';
import { emulator, tokenOf, server } from '../env.mjs';

const nas = server('alice-nas');

async function owner() {
  const plex = new PlexServer(nas.url, tokenOf('alice'));
  await plex.connect();
  return plex;
}

test('the server identifies itself', async () => {
  const plex = await owner();
  assert.equal(plex.machineIdentifier, nas.machineIdentifier);
  assert.equal(plex.friendlyName, 'alice-nas');
  assert.equal(plex.myPlexUsername, 'alice@example.com');
  assert.equal(plex.myPlexSubscription, true);
});

test('library sections', async () => {
  const plex = await owner();
  const library = await plex.library();
  const sections = await library.sections();
  // @ctrl/plex has section classes for movie, show and artist sections only: it leaves the
  // photo section out of sections(), though the server lists it.
  assert.deepEqual(sections.map((s) => [s.key, s.type, s.title]), [['1', 'movie', 'Movies'], ['2', 'show', 'TV Shows'], ['3', 'artist', 'Music']]);
  const raw = await plex.query('/library/sections');
  assert.deepEqual(raw.MediaContainer.Directory.map((d) => [d.key, d.type, d.title]),
    [['1', 'movie', 'Movies'], ['2', 'show', 'TV Shows'], ['3', 'artist', 'Music'], ['4', 'photo', 'Photos']]);
  const movies = await library.section('Movies');
  const all = await movies.all();
  assert.equal(all.length, 200);
  assert.deepEqual(all.slice(0, 4).map((m) => m.title), ['Elephants Dream', 'Sita Sings the Blues', 'Big Buck Bunny', 'Sintel']);
});

test('get by title finds that title, not a similar one', async () => {
  const plex = await owner();
  const movies = await (await plex.library()).section('Movies');
  const river = await movies.get('Distant River');
  assert.equal(river.title, 'Distant River');
  const sita = await movies.get('Sita Sings the Blues');
  assert.equal(sita.year, 2008);
  await assert.rejects(movies.get('No Such Film'));
});

test('search with filters and sort', async () => {
  const plex = await owner();
  const movies = await (await plex.library()).section('Movies');
  const recent = await movies.search({ 'year>>': '2000', sort: 'year:desc,titleSort' });
  assert.ok(recent.length > 0);
  for (const m of recent) assert.ok(m.year > 2000, `${m.title} (${m.year})`);
  for (let i = 1; i < recent.length; i++) {
    const [a, b] = [recent[i - 1], recent[i]];
    assert.ok(a.year > b.year || (a.year === b.year && a.titleSort.toLowerCase() <= b.titleSort.toLowerCase()), `${a.title} before ${b.title}`);
  }
  // A tag filter takes the tag's id (its filter choice's key), as on a real server; a name
  // matches nothing.
  const animation = (await movies.genres()).find((g) => g.title === 'Animation');
  const animated = await movies.search({ genre: animation.key, 'year<<': '2009' });
  assert.deepEqual(animated.map((m) => m.title).slice(0, 3), ['Elephants Dream', 'Sita Sings the Blues', 'Big Buck Bunny']);
  assert.deepEqual(await movies.search({ genre: 'Animation' }), []);
  const exact = await movies.search({ 'title=': 'Distant River' });
  assert.deepEqual(exact.map((m) => m.title), ['Distant River']);
  // Hub search finds the same title.
  const hubs = await plex.search('Distant River');
  const movieHub = hubs.find((h) => h.type === 'movie');
  assert.ok(movieHub.Metadata.length >= 1);
  for (const m of movieHub.Metadata) assert.match(m.title, /Distant River/);
});

test('a show, its seasons and episodes', async () => {
  const plex = await owner();
  const shows = await (await plex.library()).section('TV Shows');
  const got = await shows.get('Game of Thrones');
  assert.equal(got.year, 2011);
  const seasons = await got.seasons();
  assert.deepEqual(seasons.map((s) => s.title), ['Season 1', 'Season 2']);
  const episodes = await seasons[0].episodes();
  assert.equal(episodes.length, 10);
  assert.equal(episodes[0].title, 'Winter Is Coming');
  assert.equal(episodes[0].grandparentTitle, 'Game of Thrones');
  assert.equal(episodes[0].parentIndex, 1);
  assert.equal((await got.episodes()).length, 20);
  const the100 = await shows.get('The 100');
  const all = await the100.episodes();
  assert.equal(all.length, 29);
  assert.ok(all.some((e) => e.title === 'Coup de Grâce'));
});

test('watch state: scrobble and unscrobble', async () => {
  const plex = await owner();
  const movies = await (await plex.library()).section('Movies');
  const sintel = await movies.get('Sintel');
  assert.equal(sintel.isWatched, false);
  await sintel.markWatched();
  const watched = await movies.get('Sintel');
  assert.equal(watched.viewCount, 1);
  assert.equal(watched.isWatched, true);
  const unwatched = await movies.search({ unwatched: true });
  assert.ok(!unwatched.some((m) => m.title === 'Sintel'));
  await watched.markUnwatched();
  assert.equal((await movies.get('Sintel')).isWatched, false);
  await sintel.rate(7);
  const raw = await plex.query(`/library/metadata/${sintel.ratingKey}`);
  assert.equal(raw.MediaContainer.Metadata[0].userRating, 7);
});

test('history, with the owner as account 1', async () => {
  const plex = await owner();
  const history = await plex.history();
  assert.ok(history.length >= 5);
  for (let i = 1; i < history.length; i++) assert.ok(history[i - 1].viewedAt >= history[i].viewedAt);
  const accounts = new Set(history.map((h) => h.accountID));
  assert.ok(accounts.has(1));
  const bob = emulator.users.find((u) => u.username === 'bob');
  assert.ok(accounts.has(bob.id));
  const mine = await plex.history(100, undefined, undefined, 1);
  assert.ok(mine.length > 0 && mine.every((h) => h.accountID === 1));
});

test("a friend connects through plex.tv and sees only what is shared", async () => {
  const account = new MyPlexAccount(null, undefined, undefined, tokenOf('bob'));
  await account.connect();
  assert.equal(account.username, 'bob');
  const resource = await account.resource('alice-nas');
  assert.equal(resource.owned, false);
  // The dead connections plex.tv also lists are raced too; a short timeout lets them go.
  const plex = await resource.connect(null, 3000);
  assert.equal(plex.machineIdentifier, nas.machineIdentifier);
  assert.equal(plex.baseurl, nas.remoteUrl);
  const library = await plex.library();
  const sections = await library.sections();
  assert.deepEqual(sections.map((s) => s.title), ['Movies', 'Music']);
  const movies = await library.section('Movies');
  const film = await movies.get('Big Buck Bunny');
  assert.equal(film.year, 2008);
  await film.markWatched();
  assert.equal((await movies.get('Big Buck Bunny')).viewCount, 1);
  // alice's own state is hers: the friend's scrobble did not mark it for her.
  const alice = await owner();
  const hers = await (await (await alice.library()).section('Movies')).get('Big Buck Bunny');
  assert.equal(hers.viewCount ?? 0, 0);
  const history = await plex.history();
  const bob = emulator.users.find((u) => u.username === 'bob');
  assert.ok(history.length > 0 && history.every((h) => h.accountID === bob.id));
  await assert.rejects(plex.query('/library/sections/2/all'), /404/);
  await assert.rejects(plex.query('/library/sections/4/all'), /404/);
  await assert.rejects(plex.query('/accounts'), /401/);
});
