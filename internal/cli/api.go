package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/pms"
)

func init() { register(newAPICmd) }

// apiOptions are the arguments and flags of plexkit api.
type apiOptions struct {
	server string
	plexTV string // "" for a server; plexTVDefault or a URL for plex.tv
	// plexTVURL is the global --plextv given before the command (see Args).
	plexTVURL string
	method    string
	path      string
	fields    []string
	xml       bool
}

// plexTVDefault is --plextv given without a URL: the plex.tv of the configuration.
const plexTVDefault = "configured"

func newAPICmd(f *Factory) *cobra.Command {
	var o apiOptions
	cmd := &cobra.Command{
		Use:   "api [METHOD] PATH",
		Short: "Make any call to a server or plex.tv with the right headers and token",
		Long: `Make an authenticated call to one of the account's servers, or to plex.tv with --plextv, and
print the answer: the X-Plex-* headers, Accept and the token are set for you. A server gets the
access token plex.tv lists for this account on it (fetched again once if the server answers
401); plex.tv gets the account's Plex JWT, refreshed when due.

METHOD defaults to GET. -f key=value adds a query parameter (repeat it); PMS takes the
arguments of almost every operation in the query. The answer is printed as indented JSON;
--xml asks for XML instead and prints it as the server sends it, which is what Plex answers
clients that do not ask for JSON. A refused call (non-2xx) exits 1 with its cause in one line.

After api, --plextv selects plex.tv as the target: alone, the configured one (` + EnvPlexTVURL + `,
else ` + DefaultPlexTVURL + `); --plextv=URL another. Before api, as for every command, --plextv URL
only says which plex.tv to use.`,
		Example: `  plexkit api /library/sections
  plexkit api GET /library/sections/1/all -f type=1 -f sort=addedAt:desc -f X-Plex-Container-Size=5
  plexkit api --server alice-nas PUT /:/scrobble -f key=1234 -f identifier=com.plexapp.plugins.library
  plexkit api --xml /identity
  plexkit api --plextv /api/v2/user`,
		Args: func(cmd *cobra.Command, args []string) error {
			// "plexkit --plextv URL api …", the global flag, reaches this command's --plextv,
			// which takes a value only after "=": the URL arrives as the first argument. It means
			// what it means for every command — which plex.tv to use — not a call to plex.tv.
			if o.plexTV == plexTVDefault && len(args) > 1 && (strings.HasPrefix(args[0], "http://") || strings.HasPrefix(args[0], "https://")) {
				o.plexTVURL, o.plexTV, args = args[0], "", args[1:]
			}
			switch len(args) {
			case 1:
				o.method, o.path = http.MethodGet, args[0]
			case 2:
				o.method, o.path = strings.ToUpper(args[0]), args[1]
			default:
				return usageErrorf("%q takes a PATH, or a METHOD and a PATH; got %d arguments", cmd.CommandPath(), len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAPI(cmd.Context(), f, o)
		},
	}
	serverFlag(cmd, &o.server)
	fl := cmd.Flags()
	fl.StringVar(&o.plexTV, "plextv", "", "call plex.tv instead of a server (--plextv=URL for another plex.tv)")
	fl.Lookup("plextv").NoOptDefVal = plexTVDefault
	fl.StringArrayVarP(&o.fields, "field", "f", nil, "add a query parameter key=value (repeatable)")
	fl.BoolVar(&o.xml, "xml", false, "ask for XML and print it as sent")
	return cmd
}

// apiQuery checks the call's method, path and fields: the method is one the API uses, the path
// starts with "/", each field is key=value.
func apiQuery(o apiOptions) (url.Values, error) {
	switch o.method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions:
	default:
		return nil, usageErrorf("%q is not an HTTP method (GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS)", o.method)
	}
	if !strings.HasPrefix(o.path, "/") || strings.HasPrefix(o.path, "//") {
		return nil, usageErrorf("PATH %q must start with a single /, e.g. /library/sections", o.path)
	}
	pu, err := url.Parse(o.path)
	if err != nil {
		return nil, usageErrorf("PATH %q: %v", o.path, err)
	}
	for k := range pu.Query() {
		if strings.EqualFold(k, auth.TokenHeader) {
			return nil, usageErrorf("PATH: the token is never in the query; plexkit sends it in its header")
		}
	}
	q := url.Values{}
	for _, kv := range o.fields {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, usageErrorf("-f %q: a field is key=value", kv)
		}
		if strings.EqualFold(k, auth.TokenHeader) {
			return nil, usageErrorf("-f: the token is never a field; plexkit sends it in its header")
		}
		q.Add(k, v)
	}
	return q, nil
}

func runAPI(ctx context.Context, f *Factory, o apiOptions) error {
	q, err := apiQuery(o)
	if err != nil {
		return err
	}
	if o.plexTVURL != "" {
		f.PlexTVURL = o.plexTVURL
	}
	if o.plexTV != "" && o.server != "" {
		return usageErrorf("--server and --plextv name different targets: give one")
	}
	var body bytes.Buffer
	if o.plexTV != "" {
		if o.plexTV != plexTVDefault {
			f.PlexTVURL = o.plexTV
		}
		err = plexTVCall(ctx, f, o, q, &body)
	} else {
		err = serverCall(ctx, f, o, q, &body)
	}
	if err != nil {
		return err
	}
	return printAnswer(f.IO.Out, body.Bytes(), o.xml)
}

// serverCall makes the call on the chosen server through pms.Client.Do.
func serverCall(ctx context.Context, f *Factory, o apiOptions, q url.Values, out io.Writer) error {
	var opts []pms.Option
	if o.xml {
		opts = append(opts, pms.WithXML())
	}
	s, c, err := openServer(ctx, f, o.server, opts...)
	if err != nil {
		return err
	}
	if err := c.Do(ctx, o.method, o.path, q, nil, out); err != nil {
		path, _, _ := strings.Cut(o.path, "?")
		return s.refused(o.method, path, err)
	}
	return nil
}

// plexTVCall makes the call on plex.tv with the account's Plex JWT, refreshed when due, through
// the same token and retry transports the plextv client uses.
func plexTVCall(ctx context.Context, f *Factory, o apiOptions, q url.Values, out io.Writer) error {
	acct, err := openServerSession(ctx, f)
	if err != nil {
		return err
	}
	base, err := plexkit.ParseBaseURL(f.PlexTVURL)
	if err != nil {
		return usageErrorf("--plextv: %v", err)
	}
	pathURL, err := url.Parse(o.path)
	if err != nil {
		return usageErrorf("PATH %q: %v", o.path, err)
	}
	u := *base
	u.Path = strings.TrimSuffix(base.Path, "/") + pathURL.Path
	uq := pathURL.Query()
	for k, vs := range q {
		uq[k] = append(uq[k], vs...)
	}
	u.RawQuery = uq.Encode()
	req, err := http.NewRequestWithContext(ctx, o.method, u.String(), nil)
	if err != nil {
		return err
	}
	acct.plexTV.ClientInfo().SetHeaders(req.Header)
	req.Header.Set("Accept", "application/json")
	if o.xml {
		req.Header.Set("Accept", "application/xml")
	}
	rt := plexkit.DefaultTransport()
	if dbg := f.httpClient(); dbg != nil {
		rt = dbg.Transport // --debug: every request on stderr
	}
	hc := auth.NewClient(acct.src, &plexkit.RetryTransport{Base: rt})
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("plex.tv: %s %s: %w", o.method, pathURL.Path, err)
	}
	defer resp.Body.Close()
	if err := plexkit.CheckResponse(resp); err != nil {
		return fmt.Errorf("plex.tv refused %s %s: %w", o.method, pathURL.Path, sessionError(err))
	}
	_, err = io.Copy(out, io.LimitReader(resp.Body, 64<<20))
	return err
}

// printAnswer prints a body: XML as it is, JSON indented, anything else as it is.
func printAnswer(w io.Writer, body []byte, asXML bool) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if !asXML && json.Valid(body) {
		var b bytes.Buffer
		if err := json.Indent(&b, body, "", "  "); err == nil {
			body = b.Bytes()
		}
	}
	_, err := fmt.Fprintf(w, "%s\n", body)
	return err
}
