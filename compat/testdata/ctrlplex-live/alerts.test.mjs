// @ctrl/plex 3.12.1's AlertListener, unchanged, against the emulator's notification websocket
// (/:/websockets/notifications, the token in the query): a playback the emulator plays through
// its control API arrives as NotificationContainer frames of type "playing", one per report.
import test from 'node:test';
import assert from 'node:assert/strict';
import { PlexServer, AlertListener } from '@ctrl/plex';
import { emulator, tokenOf, server } from '../env.mjs';

const nas = server('alice-nas');

async function play(form) {
  const resp = await fetch(emulator.url + '/__emulator/playback', {
    method: 'POST',
    body: new URLSearchParams({ server: 'alice-nas', user: 'alice', player: 'ctrl-plex-test', ...form }),
  });
  assert.equal(resp.status, 204, await resp.text());
}

test('AlertListener receives playing notifications', async () => {
  const plex = new PlexServer(nas.url, tokenOf('alice'));
  await plex.connect();
  const movies = await (await plex.library()).section('Movies');
  const movie = (await movies.all())[10];
  const frames = [];
  let wake;
  const listener = new AlertListener(plex, (container) => {
    frames.push(container);
    if (wake) wake();
  });
  await listener.run();
  const waitFor = (n) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${frames.length} frames`)), 5000);
    const check = () => {
      if (frames.length >= n) {
        clearTimeout(timer);
        resolve();
      }
    };
    wake = check;
    check();
  });
  await play({ item: String(movie.ratingKey), state: 'playing', offset: '60000' });
  await play({ item: String(movie.ratingKey), state: 'paused', offset: '61000' });
  await play({ item: String(movie.ratingKey), state: 'stopped', offset: '62000' });
  await waitFor(3);
  listener.stop();
  assert.deepEqual(frames.map((f) => [f.type, f.size, f.PlaySessionStateNotification[0].state, f.PlaySessionStateNotification[0].viewOffset]), [
    ['playing', 1, 'playing', 60000],
    ['playing', 1, 'paused', 61000],
    ['playing', 1, 'stopped', 62000],
  ]);
  const entry = frames[0].PlaySessionStateNotification[0];
  assert.equal(entry.ratingKey, String(movie.ratingKey));
  assert.equal(entry.key, `/library/metadata/${movie.ratingKey}`);
  assert.match(entry.sessionKey, /^\d+$/);
  assert.equal(entry.clientIdentifier, 'ctrl-plex-test');
});
