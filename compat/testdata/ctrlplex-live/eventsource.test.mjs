// The event stream /:/eventsource/notifications read with Node's own fetch, as a browser's
// EventSource would parse it (reference plex-live.md §1.4, §5 #5): `event: <type>` and
// `data: {"<Child>":{…}}` (one object, no NotificationContainer, no array), a blank line after
// each event, and `event: ping` / `data: {}` every 10 seconds.
import test from 'node:test';
import assert from 'node:assert/strict';
import { emulator, server as seeded, tokenOf } from '../env.mjs';
import { Collector, Player, connect, movies } from './live.mjs';

const url = `${seeded('alice-nas').url}/:/eventsource/notifications`;

/**
 * Opens the stream; events arrive in a Collector as {event, data, raw} per the SSE rules: lines
 * up to a blank line, "field: value" with one optional space after the colon.
 */
async function stream(query = {}, headers = {}) {
  const ac = new AbortController();
  const qs = new URLSearchParams(query).toString();
  const res = await fetch(`${url}${qs ? `?${qs}` : ''}`, { headers, signal: ac.signal });
  const events = new Collector();
  if (res.status === 200) {
    (async () => {
      const decoder = new TextDecoder();
      let buf = '';
      try {
        for await (const chunk of res.body) {
          buf += decoder.decode(chunk, { stream: true });
          let end;
          while ((end = buf.indexOf('\n\n')) >= 0) {
            const raw = buf.slice(0, end);
            buf = buf.slice(end + 2);
            const ev = { event: 'message', data: [], raw };
            for (const line of raw.split('\n')) {
              const i = line.indexOf(':');
              const field = i < 0 ? line : line.slice(0, i);
              const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
              if (field === 'event') ev.event = value;
              else if (field === 'data') ev.data.push(value);
            }
            ev.data = ev.data.join('\n');
            events.push(ev);
          }
        }
        events.push({ event: 'end', data: '', raw: '' });
      } catch (err) {
        if (err.name !== 'AbortError') events.push({ event: 'error', data: String(err), raw: '' });
      }
    })();
  }
  return { res, events, close: () => ac.abort() };
}

test('playback arrives as event: playing with data: {"PlaySessionStateNotification":{…}}', async () => {
  const srv = await connect('alice');
  const [movie] = await movies(srv, 1);
  const s = await stream({ 'X-Plex-Token': tokenOf('alice') });
  try {
    assert.equal(s.res.status, 200);
    assert.match(s.res.headers.get('content-type'), /^text\/event-stream/);
    const player = new Player('alice');
    await player.report(movie, 'playing', 3000);
    await player.report(movie, 'paused', 4000);
    await player.report(movie, 'stopped', 4000);
    const mine = (evs) => evs.filter((e) => e.event === 'playing' && e.data.includes(player.clientIdentifier));
    await s.events.until((evs) => mine(evs).length === 3, 5000, 'three playing events');
    for (const e of mine(s.events.items)) {
      assert.deepEqual(e.raw.split('\n').map((l) => l.slice(0, l.indexOf(':'))), ['event', 'data'], 'one event line, one data line');
      const data = JSON.parse(e.data);
      assert.deepEqual(Object.keys(data), ['PlaySessionStateNotification'], 'no NotificationContainer on SSE');
      assert.equal(Array.isArray(data.PlaySessionStateNotification), false, 'a single object, not an array');
    }
    const got = mine(s.events.items).map((e) => JSON.parse(e.data).PlaySessionStateNotification);
    assert.deepEqual(got.map((e) => [e.state, e.viewOffset]), [['playing', 3000], ['paused', 4000], ['stopped', 4000]]);
    assert.equal(got[0].ratingKey, String(movie.ratingKey));
    assert.equal(got[0].key, `/library/metadata/${movie.ratingKey}`);
    assert.match(got[0].sessionKey, /^\d+$/);
    assert.ok(got.every((e) => e.sessionKey === got[0].sessionKey));
  } finally {
    s.close();
  }
});

test('token in the header works; none gets 401; filters apply to the stream too', async () => {
  const none = await stream();
  assert.equal(none.res.status, 401);
  const srv = await connect('alice');
  const [, movie] = await movies(srv, 2);
  const onlyEnd = await stream({ filters: 'transcodeSession.end' }, { 'X-Plex-Token': tokenOf('alice') });
  try {
    assert.equal(onlyEnd.res.status, 200);
    const player = new Player('alice');
    await player.refuseDirectPlay(movie);
    await player.report(movie, 'playing', 0);
    await player.report(movie, 'stopped', 1000);
    const evs = await onlyEnd.events.until((es) => es.some((e) => e.event === 'transcodeSession.end'), 5000, 'transcodeSession.end');
    assert.deepEqual(evs.filter((e) => e.event !== 'ping').map((e) => e.event), ['transcodeSession.end']);
    const ts = JSON.parse(evs.find((e) => e.event === 'transcodeSession.end').data);
    assert.deepEqual(Object.keys(ts), ['TranscodeSession']);
    assert.match(ts.TranscodeSession.key, /^\/transcode\/sessions\/[a-z0-9]+$/);
  } finally {
    onlyEnd.close();
  }
});

test('an idle stream says event: ping with data: {} every 10 s', async () => {
  const s = await stream({ 'X-Plex-Token': tokenOf('alice'), filters: 'activity' });
  try {
    const started = Date.now();
    const evs = await s.events.until((es) => es.some((e) => e.event === 'ping'), 13_000, 'a ping');
    const ping = evs.find((e) => e.event === 'ping');
    assert.equal(ping.raw, 'event: ping\ndata: {}');
    assert.deepEqual(JSON.parse(ping.data), {});
    assert.ok(Date.now() - started >= 8000, 'not sooner than the 10 s rhythm');
  } finally {
    s.close();
  }
});

test('a dropped stream is cut, not ended cleanly, so a client knows to reconnect', async () => {
  const s = await stream({ 'X-Plex-Token': tokenOf('alice') });
  try {
    assert.equal(s.res.status, 200);
    const res = await fetch(`${emulator.url}/__emulator/notifications/drop`, { method: 'POST', body: new URLSearchParams({ server: 'alice-nas' }) });
    assert.equal(res.status, 200);
    assert.ok((await res.json()).dropped >= 1);
    const evs = await s.events.until((es) => es.some((e) => e.event === 'error' || e.event === 'end'), 5000, 'the end of the stream');
    assert.equal(evs.at(-1).event, 'error', `the body fails (${evs.at(-1).data}) instead of ending`);
  } finally {
    s.close();
  }
});
