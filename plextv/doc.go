// Package plextv is the plex.tv client: PINs and the pages where a person approves them, JWK
// registration, nonces, the exchange of a signed device JWT for a Plex JWT, plex.tv's signing
// keys and the verification of every Plex JWT it issues, the account (/api/v2/user) and its
// servers with their connections and access tokens (/api/v2/resources); and the rest of the
// account: password sign-in (a legacy path), friends and the shares of its servers, its Plex
// Home and switching to one of its users, its authorized devices, and its webhooks.
//
// On top of the endpoints it owns the two flows a program needs:
//
//   - Login: create a PIN that carries the device's public key, let a person approve it in a
//     browser, and poll until plex.tv hands out the first Plex JWT (LoginWithLegacyToken does the
//     same for a program that still holds a legacy token);
//   - JWTSource: nonce, device JWT, exchange, verify — the refresh of a Plex JWT, which
//     TokenSource wraps in an auth.CachedSource so that a program always has a valid token.
//
// Every request goes through one function (Client.do): it sets the X-Plex-* headers from the
// Client's plexkit.ClientInfo, Accept: application/json, the X-Plex-Token header when the call
// needs a token, and maps refusals to *plexkit.Error. It decodes JSON, or XML where plex.tv
// answers XML whatever is asked (its legacy endpoints), into the same models. Idempotent calls are retried by
// plexkit.RetryTransport; POSTs never are.
package plextv
