// Package spec holds what plexkit takes from the official Plex Media Server OpenAPI
// specification: the table of its operations with the role each one requires (admin, shared
// user, or no token at all), a matcher from a concrete request path to its operation, and an
// embedded copy of the specification itself for conformance tests.
//
// The table is generated from the specification; the copy in this directory is the input, so the
// package never reads anything outside the module.
package spec

import (
	"bytes"
	_ "embed"
	"strconv"
)

//go:generate go run ./gen

// Role is what an operation requires of the caller's token, in the words of the PMS API
// documentation: the server's owner ("admin"), any account the server is shared with or the owner
// ("shared user"), or no token at all.
type Role uint8

const (
	// RoleNone: the operation needs no token (only GET /identity).
	RoleNone Role = iota
	// RoleShared: any valid user token, a shared user's or the admin's (the spec's default).
	RoleShared
	// RoleAdmin: only the server owner's token.
	RoleAdmin
)

// String returns "none", "shared" or "admin".
func (r Role) String() string {
	switch r {
	case RoleNone:
		return "none"
	case RoleShared:
		return "shared"
	case RoleAdmin:
		return "admin"
	}
	return "Role(" + strconv.Itoa(int(r)) + ")"
}

// Operation is one operation of the PMS API.
type Operation struct {
	Method      string // upper-case HTTP method, e.g. "GET"
	Path        string // OpenAPI path template, e.g. "/library/sections/{sectionId}"
	OperationID string // the spec's operationId, e.g. "librarySectionGetSection"
	Tag         string // the spec's (single) tag, e.g. "Library"
	Role        Role   // what the caller's token must be
}

// Operations returns every operation of the specification, ordered by path, then by method.
// The slice is the caller's to modify.
func Operations() []Operation {
	ops := make([]Operation, len(operations))
	copy(ops, operations[:])
	return ops
}

//go:embed pms-openapi.json
var openAPI []byte

// OpenAPI returns the embedded, unmodified copy of the official PMS OpenAPI document (JSON,
// Apache-2.0; see NOTICE in this package's directory). The slice is the caller's to modify.
func OpenAPI() []byte { return bytes.Clone(openAPI) }
