// The harness itself: the redirect reaches the emulator and the environment is complete.
import test from 'node:test';
import assert from 'node:assert/strict';
import { emulator, tokenOf } from './env.mjs';

test('plex.tv requests reach the emulator', async () => {
  const res = await fetch('https://plex.tv/api/v2/user', {
    headers: { 'X-Plex-Token': tokenOf('alice'), 'X-Plex-Client-Identifier': 'compat-smoke', Accept: 'application/json' },
  });
  assert.equal(res.status, 200);
  const user = await res.json();
  assert.equal(user.username, 'alice');
  assert.ok(emulator.servers.length >= 1);
});
