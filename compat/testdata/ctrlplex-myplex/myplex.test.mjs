// @ctrl/plex's plex.tv side (MyPlexAccount), unchanged, against the emulator: the web PIN
// login, MyPlexAccount by token and by password, resources, devices, friends, webhooks, the
// claim token and the sign-in lockout. @ctrl/plex 3.12.1 has no friends or webhooks methods; those go through its own
// MyPlexAccount.query with its own URL constants, as an application using it would.
import test from 'node:test';
import assert from 'node:assert/strict';
import { MyPlexAccount, MyPlexResource, X_PLEX_IDENTIFIER } from '@ctrl/plex';
// The headers @ctrl/plex sends (its index does not re-export them).
import { X_PLEX_PRODUCT } from '@ctrl/plex/dist/src/config.js';
import { emulator, tokenOf, server } from '../env.mjs';

const user = (name) => emulator.users.find((u) => u.username === name);
const password = (name) => user(name).password;

/** Approves the pin with this code as user, through the emulator's control API. */
async function claim(code, user) {
  const res = await fetch(`${emulator.url}/__emulator/pins/claim`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ code, user }),
  });
  assert.equal(res.status, 204, await res.text());
}

let webAccount;

test('web PIN login', async () => {
  const login = await MyPlexAccount.getWebLogin();
  assert.equal(typeof login.id, 'number');
  assert.match(login.code, /^[a-z0-9]{25}$/);
  assert.match(login.uri, /^https:\/\/app\.plex\.tv\/auth#\?clientID=/);
  await claim(login.code, 'alice');
  webAccount = await MyPlexAccount.webLoginCheck(login, 10);
  assert.equal(webAccount.username, 'alice');
  assert.equal(webAccount.email, 'alice@example.com');
  assert.equal(webAccount.authenticationToken.length, 20);
  assert.notEqual(webAccount.authenticationToken, tokenOf('alice'), 'the pin gives the device its own token');
  assert.equal(webAccount.subscriptionActive, true);
  assert.equal(webAccount.subscriptionStatus, 'active');
  assert.ok(webAccount.subscriptionFeatures.includes('webhooks'));
  assert.ok(webAccount.entitlements.includes('ios'));
  assert.equal(webAccount.homeSize, 2);
  assert.equal(webAccount.maxHomeSize, 15);
  assert.equal(webAccount.certificateVersion, 2);
});

test('MyPlexAccount by token', async () => {
  const bob = await new MyPlexAccount(null, '', '', tokenOf('bob')).connect();
  const want = emulator.users.find((u) => u.username === 'bob');
  assert.equal(bob.username, 'bob');
  assert.equal(bob.id, want.id);
  assert.equal(bob.uuid, want.uuid);
  assert.equal(bob.subscriptionActive, false);
  assert.equal(bob.subscriptionStatus, 'inactive');
  assert.deepEqual(bob.subscriptionFeatures, []);
  assert.equal(bob.restricted, false);
  await assert.rejects(new MyPlexAccount(null, '', '', 'not-a-token').connect(), /401/);
});

test('MyPlexAccount by password', async () => {
  const bob = await new MyPlexAccount(null, 'bob', password('bob')).connect();
  assert.equal(bob.username, 'bob');
  assert.equal(bob.restricted, false);
  assert.equal(bob.authenticationToken.length, 20);
  const again = await new MyPlexAccount(null, '', '', bob.authenticationToken).connect();
  assert.equal(again.username, 'bob', 'the signed-in token works at plex.tv');
  await assert.rejects(new MyPlexAccount(null, 'bob', 'wrong').connect(), /401/);
  // carol is a managed user: like Plex's, she has no password; her owner switches to her in the
  // Home, with her Home PIN, through @ctrl/plex's own query.
  assert.equal(password('carol'), '');
  await assert.rejects(new MyPlexAccount(null, 'carol', 'carol-password').connect(), /401/);
  const alice = await new MyPlexAccount(null, '', '', tokenOf('alice')).connect();
  const switched = await alice.query(`https://plex.tv/api/v2/home/users/${user('carol').uuid}/switch?pin=${user('carol').homePin}`, 'post');
  const carol = await new MyPlexAccount(null, '', '', switched.authToken).connect();
  assert.equal(carol.username, 'carol');
  assert.equal(carol.restricted, true);
  assert.equal(carol.home, true);
  // dave has two-factor authentication: the code goes after the password.
  await assert.rejects(new MyPlexAccount(null, 'dave', password('dave')).connect(), /401/);
  const dave = await new MyPlexAccount(null, 'dave', password('dave') + user('dave').verificationCode).connect();
  assert.equal(dave.username, 'dave');
});

test('resources, and the owned server token at plex.tv', async () => {
  const resources = await webAccount.resources();
  assert.deepEqual(resources.map((r) => r.name).sort(), ['alice-nas', 'alice-vault']);
  const nas = await webAccount.resource('alice-nas');
  assert.ok(nas instanceof MyPlexResource);
  assert.equal(nas.owned, true);
  assert.equal(nas.clientIdentifier, server('alice-nas').machineIdentifier);
  assert.ok(nas.accessToken.length > 0);
  assert.ok(nas.connections.some((c) => c.uri === server('alice-nas').url), 'the live connection is listed');
  assert.ok(nas.connections.length >= 4, 'dead local, remote and relay connections are listed too');
  const plex = await nas.connect(null, 3000);
  assert.equal(plex.machineIdentifier, server('alice-nas').machineIdentifier);
  // PlexServer.myPlexAccount() sends the server's token to plex.tv.
  const owner = await plex.myPlexAccount().connect();
  assert.equal(owner.username, 'alice');

  const bobs = await new MyPlexAccount(null, '', '', tokenOf('bob')).connect().then((a) => a.resources());
  assert.deepEqual(bobs.map((r) => [r.name, r.owned]), [['alice-nas', false]]);
  assert.notEqual(bobs[0].accessToken, tokenOf('bob'));
});

test('claim token', async () => {
  assert.match(await webAccount.claimToken(), /^claim-/);
});

test('friends', async () => {
  const friends = await webAccount.query('https://plex.tv/api/v2/friends');
  assert.equal(friends.length, 1);
  assert.equal(friends[0].username, 'bob');
  assert.equal(friends[0].status, 'accepted');
  assert.equal(friends[0].sharedServers.length, 1);
  assert.equal(friends[0].sharedServers[0].machineIdentifier, server('alice-nas').machineIdentifier);
  assert.deepEqual(friends[0].sharedServers[0].libraries.map((l) => l.key), ['1', '3']);

  // What the list says bob sees is what bob's own token sees on alice-nas.
  const bob = await new MyPlexAccount(null, '', '', tokenOf('bob')).connect();
  const bobsNas = await (await bob.resource('alice-nas')).connect(null, 3000);
  const sections = await (await bobsNas.library()).sections();
  assert.deepEqual(sections.map((s) => String(s.key)), friends[0].sharedServers[0].libraries.map((l) => l.key));
  assert.deepEqual(sections.map((s) => s.title), friends[0].sharedServers[0].libraries.map((l) => l.title));
});

test('webhooks', async () => {
  assert.deepEqual(await webAccount.query(webAccount.WEBHOOKS), []);
  const hooks = ['https://hooks.example/plex', 'http://127.0.0.1:9/plex'];
  const q = new URLSearchParams(hooks.map((u) => ['urls[]', u]));
  const set = await webAccount.query(`${webAccount.WEBHOOKS}?${q}`, 'post');
  assert.deepEqual(set.map((h) => h.url), hooks);
  assert.deepEqual((await webAccount.query(webAccount.WEBHOOKS)).map((h) => h.url), hooks);
  const bob = await new MyPlexAccount(null, '', '', tokenOf('bob')).connect();
  await assert.rejects(bob.query(bob.WEBHOOKS), /403/, 'webhooks need Plex Pass');
});

test('devices, and removing one', async () => {
  const devices = await webAccount.devices();
  const nas = devices.find((d) => d.clientIdentifier === server('alice-nas').machineIdentifier);
  assert.ok(nas, 'alice-nas is among the devices');
  assert.equal(nas.provides, 'server');
  const resource = await webAccount.resource('alice-nas');
  assert.deepEqual(nas.connections, resource.connections.map((c) => c.uri), 'devices.xml lists the resource connections');
  assert.ok(nas.createdAt instanceof Date && !Number.isNaN(nas.createdAt.getTime()));
  const me = devices.find((d) => d.clientIdentifier === X_PLEX_IDENTIFIER);
  assert.ok(me, "@ctrl/plex's own device (its client identifier) is listed after the PIN login");
  assert.equal(me.product, X_PLEX_PRODUCT, 'the device is named after the product its PIN was created for');

  // MyPlexDevice.delete goes through the PlexServer that made the account.
  const plex = await (await webAccount.resource('alice-nas')).connect(null, 3000);
  const viaServer = await plex.myPlexAccount().connect();
  const mine = (await viaServer.devices()).find((d) => d.id === me.id);
  await mine.delete();
  await assert.rejects(new MyPlexAccount(null, '', '', webAccount.authenticationToken).connect(), /401/,
    'the removed device token is refused');
  assert.equal((await viaServer.devices()).find((d) => d.id === me.id), undefined);
});

// Last: it locks bob's sign-in for the rest of the run.
test('a password-guessing loop is stopped with 429', async () => {
  let stopped;
  for (let i = 0; i < 30 && !stopped; i++) {
    await new MyPlexAccount(null, 'bob', `guess-${i}`).connect().then(
      () => assert.fail('a wrong password signed in'),
      (err) => {
        if (!/401/.test(err.message)) stopped = err;
      },
    );
  }
  assert.match(String(stopped), /429/, 'plex.tv stops the loop with 429');
  await assert.rejects(new MyPlexAccount(null, 'bob', password('bob')).connect(), /429/,
    'while locked out, the right password is refused too');
  const bob = await new MyPlexAccount(null, '', '', tokenOf('bob')).connect();
  assert.equal(bob.username, 'bob', "bob's existing token still works");
});
