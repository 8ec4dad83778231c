package pmsemu

import (
	"net/http"

	"github.com/plexkit/plexkit/internal/spec"
)

// Operations real servers serve beyond the spec, for playback. Their roles are what servers
// were seen to require: /:/progress is the owner's only (others get 401, reference §2.2);
// /transcode/sessions lists every user's transcodes, so it is the admin's.
const (
	opProgress          = "plexkit.progress"
	opTranscodeSessions = "plexkit.transcodeSessions"
)

var liveOps = []spec.Operation{
	{Method: http.MethodGet, Path: "/:/progress", OperationID: opProgress, Tag: "Timeline", Role: spec.RoleAdmin},
	{Method: http.MethodPost, Path: "/:/progress", OperationID: opProgress, Tag: "Timeline", Role: spec.RoleAdmin},
	{Method: http.MethodPut, Path: "/:/progress", OperationID: opProgress, Tag: "Timeline", Role: spec.RoleAdmin},
	{Method: http.MethodGet, Path: "/transcode/sessions", OperationID: opTranscodeSessions, Tag: "Transcoder", Role: spec.RoleAdmin},
}

// liveRoute finds method and path among liveOps.
func liveRoute(method, path string) (spec.Operation, bool) {
	if method == http.MethodHead {
		method = http.MethodGet
	}
	for _, op := range liveOps {
		if op.Method == method && op.Path == path {
			return op, true
		}
	}
	return spec.Operation{}, false
}
