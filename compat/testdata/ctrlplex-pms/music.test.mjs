// @ctrl/plex 3.12.1, unchanged, against alice-nas's Music and Photos sections: artists, their
// albums and tracks (the sample python-plexapi's tests expect, reference C.4), and the way back
// up from a track. @ctrl/plex has no photo classes, so the Photos section is read with its
// generic query().
import test from 'node:test';
import assert from 'node:assert/strict';
import { PlexServer } from '@ctrl/plex';
import { tokenOf, server } from '../env.mjs';

const nas = server('alice-nas');

async function music() {
  const plex = new PlexServer(nas.url, tokenOf('alice'));
  await plex.connect();
  return (await plex.library()).section('Music');
}

test('the Music section lists artists, the sample first', async () => {
  const section = await music();
  assert.equal(section.type, 'artist');
  assert.equal(section.agent, 'tv.plex.agents.music');
  assert.equal(section.scanner, 'Plex Music');
  const artists = await section.all();
  assert.equal(artists.length, 120);
  assert.equal(artists[0].title, 'Broke For Free');
  assert.ok(artists.every((a) => a.type === 'artist'));
});

test('artist → albums → tracks', async () => {
  const section = await music();
  // MusicSection.get() wraps what it finds in Track (its SECTION_TYPE); searchArtists gives
  // Artist objects, which have albums().
  const [artist] = await section.searchArtists({ title: 'Broke For Free' });
  assert.equal(artist.guid, 'plex://artist/5d07bdaf403c64029060f8c4');
  // Artist.albums() sends its artist filter as one `filters=<JSON>` parameter, which is no PMS
  // query syntax; the artist's children are its albums, as on a real server.
  const children = (await section.server.query(`/library/metadata/${artist.ratingKey}/children`)).MediaContainer;
  assert.deepEqual(children.Metadata.map((a) => [a.type, a.title]), [['album', 'Layers']]);
  const [layers] = await section.searchAlbums({ title: 'Layers' });
  assert.equal(String(layers.ratingKey), String(children.Metadata[0].ratingKey));
  assert.equal(layers.parentTitle, 'Broke For Free');
  assert.equal(layers.studio, '[no label]');
  const tracks = await layers.tracks();
  assert.deepEqual(tracks.map((t) => t.title), ['As Colourful as Ever']);
  const [track] = tracks;
  assert.equal(track.type, 'track');
  assert.equal(track.index, 1);
  assert.equal(track.parentIndex, 1);
  assert.equal(track.parentTitle, 'Layers');
  assert.equal(track.grandparentTitle, 'Broke For Free');
  assert.equal(track.media.length, 1);
  assert.ok(track.media[0].parts.length === 1 && track.locations[0].startsWith('/data/Music/'));
  // The artist's leaves are the same tracks.
  assert.deepEqual((await artist.tracks()).map((t) => t.ratingKey), tracks.map((t) => t.ratingKey));
});

test('a track leads back to its album and artist', async () => {
  const section = await music();
  const [track] = await section.searchTracks({ title: 'As Colourful as Ever' });
  assert.equal(track.title, 'As Colourful as Ever');
  const album = await track.album();
  assert.equal(album.title, 'Layers');
  const artist = await track.artist();
  assert.equal(artist.title, 'Broke For Free');
  assert.equal(String(artist.ratingKey), String(track.grandparentRatingKey));
});

test('the section lists albums of every artist', async () => {
  const section = await music();
  const albums = await section.albums();
  assert.ok(albums.length > 120, `${albums.length} albums`);
  assert.ok(albums.every((a) => a.type === 'album'));
  assert.ok(albums.some((a) => a.title === 'Layers'));
});

test('photo album → sub-albums and photos, through query()', async () => {
  const plex = new PlexServer(nas.url, tokenOf('alice'));
  await plex.connect();
  const sections = await plex.query('/library/sections');
  const photos = sections.MediaContainer.Directory.find((d) => d.title === 'Photos');
  assert.equal(photos.type, 'photo');
  assert.equal(photos.agent, 'com.plexapp.agents.none');
  assert.equal(photos.scanner, 'Plex Photo Scanner');
  const all = await plex.query(`/library/sections/${photos.key}/all`);
  const cats = all.MediaContainer.Metadata[0];
  assert.equal(cats.title, 'Cats');
  assert.equal(cats.type, 'photo');
  const kids = (await plex.query(`/library/metadata/${cats.ratingKey}/children`)).MediaContainer.Metadata;
  const albums = kids.filter((k) => k.type === 'photo');
  const pics = kids.filter((k) => k.type === 'photo' && k.Media);
  assert.deepEqual(albums.filter((k) => !k.Media).map((a) => a.title), ['Cats in bed', 'Cats not in bed', 'Not cats in bed']);
  assert.deepEqual(pics.map((p) => p.title), ['photo1', 'photo2', 'photo3']);
  const inBed = albums.find((a) => a.title === 'Cats in bed');
  const seven = (await plex.query(`/library/metadata/${inBed.ratingKey}/children`)).MediaContainer.Metadata;
  assert.equal(seven.length, 7);
  assert.equal(seven[0].parentTitle, 'Cats in bed');
});
