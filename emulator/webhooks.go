package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// CodePlexPassRequired is the emulator's code (invented) for a Plex Pass feature, such as
// webhooks, used by an account without Plex Pass.
const CodePlexPassRequired = 1095

const (
	maxWebhooks   = 100
	maxWebhookURL = 2048
)

// Webhooks returns the webhook URLs registered for the account (GET /api/v2/user/webhooks), in
// the order they were set, or nil for an unknown username. The servers the account owns are
// the ones that deliver events to them.
func (e *Emulator) Webhooks(username string) []string {
	e.lazyInit()
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.byName[strings.ToLower(username)]
	if a == nil {
		return nil
	}
	return slices.Clone(e.tv.webhooks[a.id])
}

// webhooks serves GET, POST and DELETE /api/v2/user/webhooks. POST replaces the list with the
// form (or query) values urls[] (urls= with no value clears it), as python-plexapi and
// @ctrl/plex do; DELETE removes the one named by url. Without Plex Pass: 403.
func (e *Emulator) webhooks(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		writeError(w, r, http.StatusBadRequest, CodeBadRequest, "form body cannot be parsed")
		return
	}
	var set []string
	switch r.Method {
	case http.MethodPost:
		for _, u := range append(r.Form["urls[]"], r.Form["urls"]...) {
			if u = strings.TrimSpace(u); u == "" {
				continue
			}
			if msg := checkWebhookURL(u); msg != "" {
				writeError(w, r, http.StatusBadRequest, CodeBadRequest, msg)
				return
			}
			if !slices.Contains(set, u) {
				set = append(set, u)
			}
		}
		if len(set) > maxWebhooks {
			writeError(w, r, http.StatusBadRequest, CodeBadRequest, "too many webhooks (at most 100)")
			return
		}
	case http.MethodDelete:
		if r.Form.Get("url") == "" {
			writeError(w, r, http.StatusBadRequest, CodeBadRequest, "url is required: the webhook to remove")
			return
		}
	}
	now := e.Now()
	e.mu.Lock()
	id, ok := e.authenticate(w, r, now)
	if !ok {
		e.mu.Unlock()
		return
	}
	if !id.acct.plexPass() {
		e.mu.Unlock()
		writeError(w, r, http.StatusForbidden, CodePlexPassRequired, "Webhooks require an active Plex Pass subscription")
		return
	}
	status := http.StatusOK
	switch r.Method {
	case http.MethodPost:
		e.tv.webhooks[id.acct.id], status = set, http.StatusCreated
	case http.MethodDelete:
		e.tv.webhooks[id.acct.id] = slices.DeleteFunc(e.tv.webhooks[id.acct.id], func(u string) bool { return u == r.Form.Get("url") })
	}
	urls := slices.Clone(e.tv.webhooks[id.acct.id])
	e.mu.Unlock()
	j := make([]map[string]string, 0, len(urls))
	for _, u := range urls {
		j = append(j, map[string]string{"url": u})
	}
	reply(w, r, status, j, func() *xnode {
		root := el("webhooks", "size", len(urls))
		for _, u := range urls {
			root.add(el("webhook", "url", u))
		}
		return root
	})
}

// checkWebhookURL returns why u cannot be a webhook, or "".
func checkWebhookURL(u string) string {
	if len(u) > maxWebhookURL {
		return "webhook URL is longer than 2048 characters"
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return "webhook URL must be an absolute http or https URL: " + quote(u)
	}
	return ""
}
