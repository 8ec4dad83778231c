// The emulator the Go harness (compat_test.go) started for this run.
const raw = process.env.PLEXKIT_EMULATOR;
if (!raw) {
  throw new Error('PLEXKIT_EMULATOR is not set: run these tests through `go test ./compat`');
}
/**
 * @type {{url: string,
 *   servers: {name: string, machineIdentifier: string, url: string, owner: string, acceptsAccountJWT: boolean}[],
 *   users: {username: string, password: string, id: number, uuid: string, email: string, kind: string,
 *     homePin?: string, verificationCode?: string}[],
 *   tokens: Record<string, string>}}
 */
export const emulator = JSON.parse(raw);

/** The legacy (account) token of a seeded user, as the harness read it from the emulator. */
export function tokenOf(username) {
  const t = emulator.tokens[username];
  if (!t) throw new Error(`no token for ${username}`);
  return t;
}

/** The seeded server with this name. */
export function server(name) {
  const s = emulator.servers.find((x) => x.name === name);
  if (!s) throw new Error(`no server ${name}`);
  return s;
}
