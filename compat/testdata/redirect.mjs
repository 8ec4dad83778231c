// Preloaded with `node --import ./redirect.mjs`: sends the requests that clients address to
// plex.tv (https://plex.tv, https://clients.plex.tv, …) to the emulator's plex.tv instead, the
// way an /etc/hosts entry and a trusted certificate would. The clients' own code is untouched.
const target = process.env.PLEXKIT_PLEXTV_URL;
if (!target) {
  throw new Error('PLEXKIT_PLEXTV_URL is not set: run these tests through `go test ./compat`');
}
const plexHosts = new Set(['plex.tv', 'www.plex.tv', 'clients.plex.tv', 'app.plex.tv']);
const realFetch = globalThis.fetch;

function rewrite(url) {
  const u = new URL(url);
  if (!plexHosts.has(u.hostname)) return null;
  const t = new URL(target);
  u.protocol = t.protocol;
  u.host = t.host;
  return u.toString();
}

globalThis.fetch = function fetch(input, init) {
  if (input instanceof Request) {
    const to = rewrite(input.url);
    return realFetch(to ? new Request(to, input) : input, init);
  }
  const to = rewrite(input instanceof URL ? input.href : String(input));
  return realFetch(to ?? input, init);
};
