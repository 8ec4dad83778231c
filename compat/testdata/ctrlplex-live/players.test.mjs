// How players map to sessions (reference plex-live.md §2.1, §2.3, §2.4, §3.3): one client
// playing in two tabs (X-Plex-Session-Identifier) has two sessions; a player that moves on to
// another item without a stop ends the first session (one stopped frame) and starts a new one;
// an episode's session and webhook carry the show's fields; the event stream answers a
// browser EventSource's request (Accept: text/event-stream).
import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { AlertListener, Episode } from '@ctrl/plex';
import { server as seeded, tokenOf } from '../env.mjs';
import { Collector, Player, connect, movies } from './live.mjs';

const playingOf = (frames, player) =>
  frames.filter((c) => c.type === 'playing').map((c) => c.PlaySessionStateNotification[0]).filter((e) => e.clientIdentifier === player.clientIdentifier);

/** A player whose every report also names a playback session of its own (a browser tab). */
class Tab extends Player {
  constructor(owner, tab) {
    super(owner);
    this.tab = tab;
  }
  headers() {
    return { ...super.headers(), 'X-Plex-Session-Identifier': this.tab };
  }
}

test('two tabs of one client are two sessions; moving on to another item stops the first', async () => {
  const srv = await connect('alice');
  const [a, b] = await movies(srv, 2);
  const frames = new Collector();
  const listener = new AlertListener(srv, (c) => frames.push(c));
  await listener.run();
  try {
    const tab1 = new Tab('alice', 'tab1tab1tab1tab1tab1tab1');
    const tab2 = new Tab('alice', 'tab2tab2tab2tab2tab2tab2');
    tab2.clientIdentifier = tab1.clientIdentifier;
    await tab1.report(a, 'playing', 1000);
    await tab2.report(b, 'playing', 2000);
    const got = playingOf(await frames.until((f) => playingOf(f, tab1).length === 2), tab1);
    assert.notEqual(got[0].sessionKey, got[1].sessionKey, 'one session per X-Plex-Session-Identifier');
    const listed = ((await srv.query('/status/sessions')).MediaContainer.Metadata ?? []).filter((m) => m.Player.machineIdentifier === tab1.clientIdentifier);
    assert.equal(listed.length, 2);

    // tab1 moves on to b without reporting a stop.
    await tab1.report(b, 'playing', 0);
    const after = playingOf(await frames.until((f) => playingOf(f, tab1).length === 4, 5000, 'stop of a, play of b'), tab1);
    assert.deepEqual([after[2].state, after[2].ratingKey, after[2].sessionKey], ['stopped', String(a.ratingKey), got[0].sessionKey]);
    assert.deepEqual([after[3].state, after[3].ratingKey], ['playing', String(b.ratingKey)]);
    assert.ok(![got[0].sessionKey, got[1].sessionKey].includes(after[3].sessionKey), 'a new sessionKey for the new item');
    await tab1.report(b, 'stopped', 1000);
    await tab2.report(b, 'stopped', 3000);
  } finally {
    listener.stop();
  }
});

test("an episode: the session and the scrobble webhook carry the show's fields", async () => {
  const srv = await connect('alice');
  const shows = (await srv.query('/library/sections/2/all')).MediaContainer.Metadata;
  const leaves = (await srv.query(`/library/metadata/${shows[0].ratingKey}/allLeaves`)).MediaContainer.Metadata;
  const ep = new Episode(srv, leaves.find((e) => e.duration > 0), `/library/metadata/${shows[0].ratingKey}/allLeaves`);
  const hooks = new Collector();
  const rcv = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    res.writeHead(200).end();
    const form = await new Response(Buffer.concat(chunks), { headers: { 'content-type': req.headers['content-type'] } }).formData();
    hooks.push(JSON.parse(form.get('payload')));
  });
  await new Promise((r) => rcv.listen(0, '127.0.0.1', r));
  const register = (body) => fetch('https://plex.tv/api/v2/user/webhooks', {
    method: 'POST', headers: { 'X-Plex-Token': tokenOf('alice'), 'X-Plex-Client-Identifier': 'compat-live-episode' }, body,
  });
  try {
    assert.equal((await register(new URLSearchParams({ 'urls[]': `http://127.0.0.1:${rcv.address().port}/` }))).status, 201);
    const player = new Player('alice', { name: 'Sofa' });
    await player.report(ep, 'playing', 0);
    const s = ((await srv.query('/status/sessions')).MediaContainer.Metadata ?? []).find((m) => m.Player.machineIdentifier === player.clientIdentifier);
    assert.equal(s.type, 'episode');
    assert.equal(s.grandparentTitle, ep.grandparentTitle);
    assert.equal(s.parentIndex, ep.parentIndex);
    assert.equal(s.index, ep.index);
    await player.report(ep, 'playing', Math.floor(ep.duration * 0.92));
    await player.report(ep, 'stopped', Math.floor(ep.duration * 0.93));
    const got = await hooks.until((hs) => hs.some((h) => h.event === 'media.scrobble'), 5000, 'media.scrobble');
    const m = got.find((h) => h.event === 'media.scrobble').Metadata;
    assert.equal(m.type, 'episode');
    assert.equal(m.librarySectionType, 'show');
    assert.equal(m.librarySectionID, 2);
    assert.equal(m.grandparentTitle, ep.grandparentTitle);
    assert.equal(m.parentTitle, ep.parentTitle);
    assert.equal(m.grandparentRatingKey, String(shows[0].ratingKey));
    assert.equal(typeof m.parentRatingKey, 'string');
    assert.equal(m.index, ep.index);
    assert.equal(m.parentIndex, ep.parentIndex);
    assert.match(m.guid, /^plex:\/\/episode\//);
  } finally {
    await register(new URLSearchParams({ urls: '' }));
    await new Promise((r) => rcv.close(r));
  }
});

test("the event stream answers a browser EventSource's request", async () => {
  const ac = new AbortController();
  const res = await fetch(`${seeded('alice-nas').url}/:/eventsource/notifications?X-Plex-Token=${tokenOf('alice')}`, {
    headers: { Accept: 'text/event-stream', 'Cache-Control': 'no-cache' },
    signal: ac.signal,
  });
  try {
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  } finally {
    ac.abort();
  }
});
