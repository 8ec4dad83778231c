// @ctrl/plex 3.12.1, unchanged, choosing a movie's subtitle and audio streams
// (MediaPart.setSelectedSubtitleStream / setSelectedAudioStream: PUT /library/parts/{id}
// ?allParts=1&subtitleStreamID=|audioStreamID=). The choice is the account's own: a friend on
// the same server keeps his.
import test from 'node:test';
import assert from 'node:assert/strict';
import { MediaPartStream, MyPlexAccount, PlexServer } from '@ctrl/plex';
import { tokenOf, server } from '../env.mjs';

async function owner() {
  const plex = new PlexServer(server('alice-nas').url, tokenOf('alice'));
  await plex.connect();
  return plex;
}

/** The movie titled title, reloaded in full (its streams come with the detail). */
async function movieOf(plex, title) {
  const movie = await (await (await plex.library()).section('Movies')).get(title);
  await movie.reload();
  return movie;
}

/** [id, streamType, selected] of every stream of the movie's first part. */
const streamsOf = (movie) => movie.media[0].parts[0].streams.map((s) => [s.id, s.streamType, s.selected === true]);

test("select a subtitle stream, then none; the audio stream stays", async () => {
  const plex = await owner();
  const movie = await movieOf(plex, 'Hollow River');
  const part = movie.media[0].parts[0];
  const audio = part.streams.find((s) => s.streamType === 2);
  const subtitle = part.streams.find((s) => s.streamType === 3);
  assert.ok(audio && subtitle, 'the movie has an audio and a subtitle stream');
  assert.equal(audio.selected, true, 'the audio stream is selected from the start');
  assert.notEqual(subtitle.selected, true, 'no subtitle at first');
  assert.equal(subtitle.languageCode, 'eng');

  // @ctrl/plex's limitation: MediaPart builds every Stream as a plain MediaPartStream, never
  // as its AudioStream or SubtitleStream class, so audioStreams() and subtitleStreams() (which
  // filter by class) are always empty, and streams have no setSelected().
  assert.ok(part.streams.every((s) => s.constructor === MediaPartStream));
  assert.deepEqual(part.audioStreams(), []);
  assert.deepEqual(part.subtitleStreams(), []);

  assert.equal(await part.setSelectedSubtitleStream(subtitle), part);
  await movie.reload();
  assert.deepEqual(streamsOf(movie).filter(([, t]) => t !== 1), [[audio.id, 2, true], [subtitle.id, 3, true]]);

  await part.setSelectedSubtitleStream(0); // 0: no subtitles
  await movie.reload();
  assert.deepEqual(streamsOf(movie).filter(([, t]) => t !== 1), [[audio.id, 2, true], [subtitle.id, 3, false]]);

  await part.setSelectedAudioStream(audio.id);
  await movie.reload();
  assert.deepEqual(streamsOf(movie).filter(([, t]) => t === 2), [[audio.id, 2, true]]);

});

test("a friend's subtitle choice is his own", async () => {
  const account = new MyPlexAccount(null, undefined, undefined, tokenOf('bob'));
  await account.connect();
  const bob = await (await account.resource('alice-nas')).connect(null, 3000);
  const alice = await owner();
  const hers = await movieOf(alice, 'Bright River');
  const his = await movieOf(bob, 'Bright River');
  const subtitle = his.media[0].parts[0].streams.find((s) => s.streamType === 3);
  await his.media[0].parts[0].setSelectedSubtitleStream(subtitle);
  await his.reload();
  assert.equal(his.media[0].parts[0].streams.find((s) => s.id === subtitle.id).selected, true, 'bob has his subtitles');
  await hers.reload();
  assert.notEqual(hers.media[0].parts[0].streams.find((s) => s.id === subtitle.id).selected, true, 'alice has none');
  await his.media[0].parts[0].setSelectedSubtitleStream(0);
});
