package pms

import (
	"context"
	"net/http"
	"net/url"
)

// SecurityService mints transient tokens.
type SecurityService service

// TransientToken returns a transient token (POST /security/token?type=delegation&scope=all):
// a token with the caller's access on this server only, valid up to 48 hours or until the server
// restarts. Hand it to a player or a script instead of the account's token. It is a secret.
func (s *SecurityService) TransientToken(ctx context.Context) (string, error) {
	var head struct {
		Token string `json:"token" xml:"token,attr"`
	}
	_, err := s.client.do(ctx, &request{
		method: http.MethodPost, path: "security/token",
		query: url.Values{"type": {"delegation"}, "scope": {"all"}},
		head:  &head,
	})
	if err != nil {
		return "", err
	}
	if err := checkToken(head.Token); err != nil {
		return "", &ResponseError{Method: http.MethodPost, URL: s.client.urlFor("security/token"), Reason: "the answer holds no usable token: " + err.Error()}
	}
	return head.Token, nil
}
