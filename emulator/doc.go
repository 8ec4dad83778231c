// Package emulator is a fake plex.tv and a set of fake Plex Media Servers, as strict as Plex,
// for testing the plexkit library, the CLI and other applications without the internet.
//
// It owns the plex.tv side: accounts, pins and the link and auth pages, JWK registration,
// nonces, the exchange of device JWTs for Plex JWTs, plex.tv's signing keys (with rotation), the
// user and resources endpoints, the control API, fault injection and request counts. The
// servers themselves (routes, library data, role checks per operation of the official spec) are
// package emulator/internal/pmsemu; this package tells them who a token belongs to.
//
// The emulator deliberately imports none of plexkit's client packages: it has its own wire
// types, so it tests the clients rather than agreeing with them by construction.
//
// # Use
//
// In a test:
//
//	e := emulator.New(emulator.Options{})
//	if err := e.Start(); err != nil { … }
//	defer e.Close()
//	// point the client at e.URL(); approve a pin with e.ClaimPin(code, "alice")
//
// The zero Emulator is ready to use too, with the default Options (var e emulator.Emulator;
// e.Start()). Handler returns the plex.tv handler alone, for httptest.NewServer; the servers
// listen only after Start.
//
// # Seed
//
// Accounts (Users lists them; passwords are also the constants AlicePassword etc.):
//
//	username  password         kind     notes
//	alice     alice-password   owner    owns alice-nas and alice-vault; Plex Pass (webhooks);
//	                                    Home admin; friend of bob
//	bob       bob-password     friend   alice-nas is shared with him, sections "1" (Movies) and
//	                                    "3" (Music) only
//	carol     (none)           managed  managed user in alice's Home, Home PIN CarolHomePin
//	                                    ("1234"); alice-nas, all sections; no password, as
//	                                    Plex's managed users: reached by Home switch only
//	dave      dave-password    none     no access to any server; two-factor sign-in with the
//	                                    verification code DaveVerificationCode ("424242")
//
// Emails are <username>@example.com. Each account has a legacy token (LegacyToken).
//
// Servers (Servers lists them, with their live URLs once started):
//
//   - alice-nas accepts account tokens (Plex JWT or legacy), as Plex documents. Sections "1"
//     Movies (Options.LibrarySize items, default 2000), "2" TV Shows (350), "3" Music (120
//     artists) and "4" Photos (24 photo albums), as python-plexapi's test bootstrap names them,
//     each headed by the items its tests expect. Playing sessions: alice (playing) and bob
//     (paused). History for alice, bob and carol.
//   - alice-vault accepts only its own access tokens, those /api/v2/resources lists for it, as
//     real servers have been seen to do. Sections "1" Movies (150) and "2" TV Shows (220). No
//     sessions; history for alice.
//
// Machine identifiers are derived from the server names, so they are the same in every run;
// tokens and ports are not.
//
// In /api/v2/resources each server lists four connections: a dead local http one first, the
// live one (http://127.0.0.1:PORT, local), and with includeHttps=1 a dead remote https one,
// with includeRelay=1 a dead relay. Dead connections accept TCP and never answer, so a client
// must race connections (or time out). Each account gets its own access token per server: the
// owner's, or the share's; a server refuses every other server's tokens.
//
// # plex.tv API
//
// Served under /api/v2/ on the plex.tv listener, following Plex's "Authenticating with Plex"
// documentation (the description of the official PMS OpenAPI) and what clients observe:
//
//	POST /api/v2/pins              201 pin (strong: 25-char code, 30 min; else 4 chars, 15 min)
//	GET  /api/v2/pins/{id}         200 pin; once claimed: Plex JWT (pin with jwk; needs deviceJWT)
//	                               or a legacy token; 404/1020 unknown or expired; 429 over 2/s
//	PUT  /api/v2/pins/link         204: the X-Plex-Token account approves form value code
//	POST /api/v2/auth/jwk          201: register {"jwk":…} for the client (legacy token; a JWT: 401)
//	GET  /api/v2/auth/nonce        200 {"nonce":…}: 5 min, single use, per client, 429 over limit
//	POST /api/v2/auth/token        200 {"auth_token":…} for {"jwt":<device JWT>}; 422 per check
//	GET  /api/v2/auth/keys         200 JWKS: current key, and the previous one after a rotation
//	GET  /api/v2/user              200 user; 401; 498 expired
//	GET  /api/v2/resources         200 the account's servers with their access tokens
//
// Every v2 endpoint except /auth/keys and /pins/link requires X-Plex-Client-Identifier (400,
// code 1000), and so does the legacy sign-in; the other legacy ones do not. Errors use plex.tv's envelope {"errors":[{"code":N,"message":…,"status":S}]}; the
// Code* constants list the codes, and say which are invented.
//
// Content negotiation is decided in one place (negotiate.go) for every plex.tv endpoint: the v2
// API, pins and errors answer XML (booleans "1"/"0") unless Accept asks for JSON; legacy paths
// (/api/users/, /api/servers/…, /api/resources, /api/home/users, /users/account) answer XML
// whatever Accept says, as plex.tv does (Options.LegacyJSON lets them answer JSON); a .json or
// .xml suffix decides. JSON is sent as exactly "application/json". /api/v2/auth/keys is a JWKS,
// JSON always.
//
// # The account API
//
//	GET  /users/account[.json|.xml]          the legacy account object
//	POST /api/v2/users/signin                201 user with a new device token: form login (username
//	                                         or e-mail), password, rememberMe, verificationCode;
//	                                         401/1001 wrong; 401/1029 code missing or wrong
//	DELETE /api/v2/users/signout             204: the token stops working (a Plex JWT: its device is
//	                                         removed, since one JWT cannot be revoked alone)
//	POST /users/sign_in.json|.xml            201 legacy account: Basic login:password (code appended)
//	                                         or form user[login], user[password]
//	GET  /api/users/                         friends and Home users, each with <Server> shares
//	GET  /api/v2/friends                     friends, each with sharedServers[] and libraries[]
//	GET  /api/servers/{machineId}            the owner's server with <Section id key type title>
//	GET|POST /api/servers/{mid}/shared_servers         shares; POST invites (accepted at once)
//	GET|PUT|DELETE /api/servers/{mid}/shared_servers/{id}  one share: read, change sections, remove
//	POST /api/v2/shared_servers              201 share; 422/1999 already shared
//	PUT|DELETE /api/v2/sharings/{userId}     change a friend's share settings / remove the friend
//	PUT|DELETE /api/friends/{id}             410, as plex.tv (Options.LegacyFriendsAPI: works)
//	GET  /api/v2/home/users, /api/home/users the Home (alice, carol)
//	POST /api/v2/home/users/{uuid}/switch    201 member's user object with its token; ?pin= for a
//	POST /api/home/users/{id}/switch         member with a PIN (403/1041 without); legacy: XML
//	                                         <user authenticationToken=…>
//	PUT  /api/home/users/{id}?pin=&currentPin=          the account's own Home PIN (401 without
//	                                                    the current one)
//	POST /api/home/users?title=NAME          201 a new managed user (root <User id title …>)
//	POST /api/home/users?invitedEmail=USER   201 an existing account joins the Home
//	DELETE /api/home/users/{id}              the member leaves the Home (a managed user: its
//	                                         PIN and managed shares too)
//	PUT|POST /api/v2/home/users/restricted/{id}?pin=   a managed user's PIN (removePin=1 removes)
//	GET  /devices.xml                        Authorized Devices: owned servers (connections, token)
//	                                         and the clients that hold the account's tokens
//	PUT|DELETE /devices/{id}.xml             rename (?name=) / remove: as RevokeDevice, for this account
//	GET|POST|DELETE /api/v2/user/webhooks    Plex Pass only (403/1095); POST urls[]= replaces the list
//	GET  /api/v2/ping                        <pong>true</pong> / {"pong":true}
//	GET  /api/claim/token.json               {"token":"claim-…"}
//	GET|POST /api/v2/user/{uuid}/settings/opt_outs   online media sources; POST ?key=&value=
//	GET  /api/resources                      legacy XML Device list (unix-second times)
//	GET  /pms/servers.xml, /servers.xml      reachable servers with their access tokens
//	GET  /api/invites/requested, …/requests  always empty: invitations are accepted at once
//	GET  /api/v2/shared_servers/invites/received/pending, …/owned/pending   the same, in v2
//	                                         ([] in JSON, <invites size="0"/> in XML)
//	GET  /pms/friends/all                    as /api/users/
//	GET  /api/v2/geoip, GET|PUT /api/v2/user/privacy, GET|PUT /api/v2/user/view_state_sync,
//	GET  /:/ip (text/plain)
//
// An unknown path under /api/v2/ is 404 with code 1002 ("The requested resource or endpoint
// could not be found"); any other unknown path gets the Rails 404 HTML page, as on plex.tv.
//
// Every change to a share applies to the servers at once: the servers ask plex.tv who a token
// belongs to on every request. Home-switch tokens and sign-in tokens work like a PIN's legacy
// token: bound to the client identifier, revoked with the device. An owned
// server's access token is also its owner's account token at plex.tv, as python-plexapi's
// PlexServer.myPlexAccount() expects.
//
// A device belongs to one account: once a client identifier's JWK is registered to an
// account, another account can neither register a key for it (POST /api/v2/auth/jwk) nor claim
// a PIN that carries it; both get 422 with CodeDeviceTaken, and the owner's device and Plex
// JWTs stay valid. The same client identifier may still hold legacy tokens of several
// accounts (one browser, two people), each listed in that account's devices.
//
// Where Plex's shape is unknown the emulator chose, and says so here: the XML of pins
// (<pin …><location …/></pin>), nonces (<nonce nonce=…/>) and token exchanges (<token
// auth_token=…/>); the roots <friends>, <webhooks>, <optOuts>, <privacy> and <viewStateSync>;
// the root of the legacy /api/home/users (a myPlex MediaContainer of <User>); the fields of v2
// shared servers; the owner id spelled ownerID in /api/resources; PUT /devices/{id}.xml; 403
// for a Home PIN error; 422 when deleting a server device; the codes 1094 and 1095.
//
// A device JWT (at /auth/token, or as deviceJWT when polling a pin) must: parse as a compact
// JWS; name in its header kid the kid of the JWK registered for the request's client identifier
// (the message says so when the kid is the client identifier, a classic mistake); use alg EdDSA
// (RS256 for an RSA key); verify with that key; have aud "plex.tv", iss = the client identifier,
// iat at most MaxIATSkew ahead of the emulator clock, and exp in the future and at most
// MaxDeviceJWTLifetime after iat; and, at /auth/token, a nonce issued to this client, unexpired
// and unused. Scope words that Plex does not document are ignored, as plex.tv does.
//
// The issued Plex JWT is signed (EdDSA) with the current plex.tv key, whose kid is its RFC 7638
// thumbprint. Claims: iss "plex.tv"; aud ["plex.tv", client identifier]; iat; exp = iat + 7
// days; thumbprint = the device JWK's kid; nonce, when the device JWT had one; user {"id",
// "uuid"} plus, per scope, "username", "email", "friendly_name", "restricted", "anonymous",
// "joinedAt"; and jti, which ties the token to this registration of the device, so that a
// device removed from Authorized Devices and registered again does not revive its old tokens.
// The user keys are spelled like the scope names, as the TypeScript client that types Plex's
// tokens (scttcper/plex) spells them. The first Plex JWT issued to a device that
// registered its JWK with a legacy token invalidates that token, as Plex documents.
//
// # Pages
//
// For a person in a browser (html/template; the only script copies the URL fragment of /auth
// into the form):
//
//	GET /link[?pin=CODE]   sign in, then type a 4-character code; approve → "Device linked"
//	GET /auth#?clientID=…&code=…&context%5Bdevice%5D%5Bproduct%5D=…   approve a strong pin
//
// Sessions use an HttpOnly cookie; every form POST carries a CSRF token bound to the session
// (403 without it). Stable element ids for automation: #username, #password, #signin, #code,
// #approve and, on success, #linked.
//
// # Control API
//
// On the plex.tv listener, never faulted nor counted; a browser's cross-site POST to it is
// refused (403):
//
//	GET    /__emulator/pins               JSON list: id, code, clientIdentifier, product,
//	                                      strong, claimed, expiresAt
//	POST   /__emulator/pins/claim         form code, user: approve a pin as that user (204;
//	                                      400 unknown user, 404 unknown or expired code)
//	GET    /__emulator/clock              {"now": RFC 3339}
//	POST   /__emulator/clock              form advance (Go duration, e.g. 169h): move the clock
//	GET    /__emulator/stats              JSON object: request count per endpoint (see Stats)
//	DELETE /__emulator/stats              reset the counts (204)
//	POST   /__emulator/devices/revoke     form clientIdentifier: see RevokeDevice (204)
//	POST   /__emulator/keys/rotate        see RotateKey; answers the new JWKS
//	POST   /__emulator/faults             form endpoint, latency, status, retryAfter, count,
//	                                      drop: see SetFault; only endpoint clears its fault,
//	                                      nothing at all clears every fault (204)
//	GET    /__emulator/state              State as JSON: url, servers, users
//	POST   /__emulator/playback           form server, user, item, state, offset, player,
//	                                      transcode: see Play (204); GET ?server=: Sessions
//	POST   /__emulator/notifications/drop form server (optional): see DropNotifications
//	POST   /__emulator/servers/restart    form server: see RestartServer (204)
//	POST   /__emulator/servers/reachability form server, reachable (true or false): see
//	                                      SetReachable; answers {"changed": bool}
//
// # Live playback
//
// Sessions exist because players report them: /:/timeline (GET or POST, with the player's
// X-Plex-Client-Identifier) creates, moves, pauses and stops a session, with sessionKeys that
// count up from 1 and start again after RestartServer (a report of another item ends the
// session and starts one with the next key, or keeps the key with
// Options.SessionKeyKeptOnItemChange); past 90 % the item is marked played for
// the account and a history row is written; a decision refusing direct play gets a transcoded
// session (/transcode/sessions). Play and POST /__emulator/playback report for a player the
// emulator plays itself, which then reports every 10 s of the clock; the seeded sessions are
// such players. Every change goes out on the servers' notification endpoints
// (/:/websockets/notifications, /:/websocket/notifications, /:/eventsource/notifications) and
// as webhooks to the URLs the accounts registered (POST /api/v2/user/webhooks). Besides the
// playback and library events, the owner's hooks get device.new the first time a client
// identifier makes an authorised request to a server, and admin.database.backup when the
// butler's BackupDatabase task completes (POST /butler/BackupDatabase, then a minute of the
// clock). SetReachable (POST /__emulator/servers/reachability) turns a server's remote access
// off and on, with its "reachability" notification.
//
// Players that report are known to the server: GET /clients lists them (the owner sees all,
// a shared user its own), and the commands python-plexapi's PlexClient sends through the
// server (/player/playback/pause, play, stop, seekTo, skipNext, skipPrevious, setParameters,
// playMedia…, and /player/timeline/poll, the player named by X-Plex-Target-Client-Identifier)
// act on the player's session exactly as its own timeline report would. A player answers only
// the account it plays for (403 otherwise; Options.OwnerControlsAllPlayers lets the owner
// reach every player); an unknown player is 404.
//
// # Clock
//
// The emulator clock starts at Options.Start and runs at real speed, or stands still with
// Options.FreezeClock; Advance (or POST /__emulator/clock) moves it. Pins, nonces, rate limits,
// iat/exp checks, Plex JWT expiry and the servers' data all use it. Fault latency is real time.
//
// # Rate limits
//
// Plex publishes no numbers. The emulator answers 429 with Retry-After when one pin is polled
// more than twice a second, and when one client identifier asks for more than
// Options.NoncesPerMinute nonces (default 10) in a minute. Password sign-in (the API and the
// link page) locks an account after 10 failures, and a client identifier (on the page: an
// address) after 20, within 15 minutes of the emulator clock: every attempt, the right
// password included, then answers 429 with Retry-After and plex.tv's code 1031 (or 401, with
// Options.SignInLockoutStatus), until the oldest failure is 15 minutes old.
package emulator
