// @ctrl/plex's AlertListener when the server's remote access goes down and comes back
// (reference plex-live.md §1.11): each change is one `reachability` frame,
// {"type":"reachability","size":1,"ReachabilityNotification":[{"reachability":false}]}, to the
// server's admin only; Tautulli then reads /myplex/account for the mapping state. The emulator
// turns remote access off and on with POST /__emulator/servers/reachability.
import test from 'node:test';
import assert from 'node:assert/strict';
import { AlertListener } from '@ctrl/plex';
import { emulator } from '../env.mjs';
import { Collector, connect, sleep } from './live.mjs';

async function setReachable(reachable) {
  const res = await fetch(`${emulator.url}/__emulator/servers/reachability`, {
    method: 'POST',
    body: new URLSearchParams({ server: 'alice-nas', reachable: String(reachable) }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()).changed;
}

const reachabilityOf = (frames) => frames.filter((c) => c.type === 'reachability');

test('AlertListener gets one reachability frame per change, the admin only', async () => {
  const alice = await connect('alice');
  const bob = await connect('bob');
  const hers = new Collector();
  const his = new Collector();
  const listeners = [new AlertListener(alice, (c) => hers.push(c)), new AlertListener(bob, (c) => his.push(c))];
  for (const l of listeners) await l.run();
  try {
    assert.equal(await setReachable(false), true);
    let got = await hers.until((f) => reachabilityOf(f).length === 1, 5000, 'reachability false');
    assert.deepEqual(reachabilityOf(got)[0], { type: 'reachability', size: 1, ReachabilityNotification: [{ reachability: false }] });
    const account = (await alice.query('/myplex/account')).MyPlex; // root MyPlex, not MediaContainer
    assert.equal(account.mappingState, 'failed');
    assert.equal(account.mappingError, 'unreachable');

    assert.equal(await setReachable(false), false, 'no change, no frame');
    assert.equal(await setReachable(true), true);
    got = await hers.until((f) => reachabilityOf(f).length === 2, 5000, 'reachability true');
    assert.deepEqual(reachabilityOf(got)[1], { type: 'reachability', size: 1, ReachabilityNotification: [{ reachability: true }] });
    assert.equal((await alice.query('/myplex/account')).MyPlex.mappingState, 'mapped');

    await sleep(300);
    assert.equal(reachabilityOf(hers.items).length, 2, 'one frame per change');
    assert.deepEqual(reachabilityOf(his.items), [], "a friend's listener is told nothing");
  } finally {
    for (const l of listeners) l.stop();
    await setReachable(true);
  }
});
