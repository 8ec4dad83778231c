// library.on.deck (reference plex-live.md §4.3): when a new item appears in the user's On
// Deck, the user's hooks get it with a thumb. Finishing an episode puts the next one there.
import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Episode } from '@ctrl/plex';
import { tokenOf } from '../env.mjs';
import { Collector, Player, connect } from './live.mjs';

test('finishing an episode: library.on.deck for the next one, with a thumb', async () => {
  const srv = await connect('alice');
  const shows = (await srv.query('/library/sections/2/all')).MediaContainer.Metadata;
  const leaves = (await srv.query(`/library/metadata/${shows[2].ratingKey}/allLeaves`)).MediaContainer.Metadata;
  const ep = new Episode(srv, leaves[0], '/');
  const hooks = new Collector();
  const rcv = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    res.writeHead(200).end();
    const form = await new Response(Buffer.concat(chunks), { headers: { 'content-type': req.headers['content-type'] } }).formData();
    hooks.push({ payload: JSON.parse(form.get('payload')), thumb: form.get('thumb') });
  });
  await new Promise((r) => rcv.listen(0, '127.0.0.1', r));
  const register = (body) => fetch('https://plex.tv/api/v2/user/webhooks', {
    method: 'POST', headers: { 'X-Plex-Token': tokenOf('alice'), 'X-Plex-Client-Identifier': 'compat-live-ondeck' }, body,
  });
  try {
    assert.equal((await register(new URLSearchParams({ 'urls[]': `http://127.0.0.1:${rcv.address().port}/` }))).status, 201);
    const player = new Player('alice');
    await player.report(ep, 'playing', Math.floor(ep.duration * 0.95));
    await player.report(ep, 'stopped', ep.duration);
    const got = await hooks.until((hs) => hs.some((h) => h.payload.event === 'library.on.deck'), 5000, 'library.on.deck');
    const h = got.find((x) => x.payload.event === 'library.on.deck');
    assert.equal(h.payload.Metadata.ratingKey, String(leaves[1].ratingKey), 'the next episode');
    assert.ok(h.thumb && typeof h.thumb !== 'string');
  } finally {
    await register(new URLSearchParams({ urls: '' }));
    await new Promise((r) => rcv.close(r));
  }
});
