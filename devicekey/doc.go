// Package devicekey owns the identity of a plexkit installation: its Ed25519 device key and its
// client identifier. It generates the key, stores it privately and atomically in a config
// directory, imports the raw key files python-plexapi writes, publishes the public JWK that
// plex.tv registers, and signs the short-lived device JWTs that plex.tv exchanges for Plex JWTs.
//
// The key id (kid) of a key plexkit generates is its RFC 7638 SHA-256 thumbprint; an imported
// key keeps the kid it was registered with, so a device registered by another tool keeps working.
// A Key never reveals its private bytes: it prints as its kid and marshals nothing secret.
package devicekey
