package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit/devicekey"
	"github.com/plexkit/plexkit/plextv"
)

func init() { register(newJWTCmd) }

func newJWTCmd(f *Factory) *cobra.Command {
	cmd := groupCmd("jwt", "Sign, decode and verify JWTs",
		`Tools for the two JWTs of Plex's auth flow: the device JWT this installation signs with its
device key, and the Plex JWT plex.tv issues in exchange.`)
	cmd.Example = "  plexkit token | plexkit jwt decode -\n  plexkit jwt verify - --jwks " + DefaultPlexTVURL + "/api/v2/auth/keys < token.txt"
	cmd.AddCommand(newJWTSignCmd(f), newJWTDecodeCmd(f), newJWTVerifyCmd(f))
	return cmd
}

func newJWTSignCmd(f *Factory) *cobra.Command {
	var nonce, scope, clientID string
	cmd := &cobra.Command{
		Use:   "sign --nonce NONCE [--scope a,b] [--client-id ID]",
		Short: "Print the device JWT plexkit would send to plex.tv",
		Long: `Print the device JWT that plexkit sends to POST /api/v2/auth/token, signed with this
installation's device key: header alg EdDSA, kid, typ JWT; claims nonce, scope, aud "plex.tv",
iss (the client identifier), iat and exp (iat + 5 minutes). Use it to compare with your own
implementation. The token is a credential for five minutes: do not paste it anywhere public.

Scopes only choose which account claims go into the Plex JWT: username, email, friendly_name,
restricted, anonymous, joinedAt.`,
		Example: `  CID=$(plexkit key show --kid --json | jq -r .clientIdentifier)
  NONCE=$(curl -sf -H 'Accept: application/json' -H "X-Plex-Client-Identifier: $CID" https://clients.plex.tv/api/v2/auth/nonce | jq -r .nonce)
  plexkit jwt sign --nonce "$NONCE" --scope username,email`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("nonce") {
				return usageErrorf("--nonce is required: get one from GET /api/v2/auth/nonce")
			}
			// "null" is what jq -r prints when the nonce request failed (e.g. without the
			// X-Plex-Client-Identifier header): a device JWT with that nonce is always refused.
			if n := strings.TrimSpace(nonce); n == "" || n == "null" {
				return usageErrorf("--nonce is %q: the nonce request must have failed; GET /api/v2/auth/nonce needs the X-Plex-Client-Identifier header (this installation's: `plexkit key show --kid --json`)", nonce)
			}
			scopes := splitList(scope)
			if err := devicekey.ValidateScopes(scopes); err != nil {
				return &UsageError{Err: err}
			}
			dev, err := loadDevice(f)
			if err != nil {
				return err
			}
			if clientID == "" {
				clientID = dev.ClientIdentifier
			}
			token, err := dev.Key.SignDeviceJWT(devicekey.DeviceClaims{ClientIdentifier: clientID, Nonce: nonce, Scopes: scopes, IssuedAt: f.Now()})
			if err != nil {
				return err
			}
			if f.JSON {
				return printJSON(f.IO, map[string]string{"jwt": token})
			}
			_, err = fmt.Fprintln(f.IO.Out, token)
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&nonce, "nonce", "", "nonce from GET /api/v2/auth/nonce")
	fl.StringVar(&scope, "scope", "", "comma-separated scopes ("+strings.Join(devicekey.Scopes, ",")+")")
	fl.StringVar(&clientID, "client-id", "", "iss claim (default: this installation's client identifier)")
	return cmd
}

// splitList splits a comma-separated flag value, trimming spaces and dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// maxTokenInput bounds a token read from stdin.
const maxTokenInput = 1 << 20

// tokenArg returns the token given as the argument, or read from stdin when it is "-".
func tokenArg(f *Factory, arg string) (string, error) {
	if arg != "-" {
		return strings.TrimSpace(arg), nil
	}
	b, err := io.ReadAll(io.LimitReader(f.IO.In, maxTokenInput+1))
	if err != nil {
		return "", fmt.Errorf("read the token from stdin: %w", err)
	}
	if len(b) > maxTokenInput {
		return "", usageErrorf("stdin holds more than %d bytes; a JWT is a few hundred", maxTokenInput)
	}
	return strings.TrimSpace(string(b)), nil
}

const notVerified = "Nothing was verified: this shows what the token claims, not that plex.tv issued it. Check it with `plexkit jwt verify`."

func newJWTDecodeCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "decode TOKEN|-",
		Short: "Show a JWT's header and claims, without verifying it",
		Long: `Show the header and claims of a JWT (a Plex JWT or a device JWT) and when it expires, in words.
Nothing is verified: anyone can write a token that decodes. Use "-" to read the token from stdin,
which keeps it out of your shell history.`,
		Example: `  plexkit jwt decode "$PLEX_TOKEN"
  pbpaste | plexkit jwt decode -
  plexkit jwt decode --json - < token.txt`,
		Args: exactArgs(1, "TOKEN or -"),
		RunE: func(cmd *cobra.Command, args []string) error {
			token, err := tokenArg(f, args[0])
			if err != nil {
				return err
			}
			d, err := plextv.DecodeUnverified(token)
			if err != nil {
				return err
			}
			now := f.Now()
			if f.JSON {
				out := map[string]any{"verified": false, "header": d.Header, "claims": d.Claims.Raw}
				if !d.Claims.IssuedAt.IsZero() {
					out["issuedAt"] = d.Claims.IssuedAt.UTC().Format(time.RFC3339)
				}
				if !d.Claims.Expiry.IsZero() {
					out["expiresAt"] = d.Claims.Expiry.UTC().Format(time.RFC3339)
					out["expired"] = !now.Before(d.Claims.Expiry)
					out["expiry"] = relative(now, d.Claims.Expiry)
				}
				return printJSON(f.IO, out)
			}
			fmt.Fprintln(f.IO.Out, "Header:")
			if err := printJSON(f.IO, d.Header); err != nil {
				return err
			}
			fmt.Fprintln(f.IO.Out, "Claims:")
			if err := printJSON(f.IO, d.Claims.Raw); err != nil {
				return err
			}
			t := newTable(f.IO)
			if !d.Claims.IssuedAt.IsZero() {
				t.addRow("Issued:", d.Claims.IssuedAt.UTC().Format(time.RFC3339), relative(now, d.Claims.IssuedAt))
			}
			switch {
			case d.Claims.Expiry.IsZero():
				t.addRow("Expires:", "never (no exp claim)")
			case now.Before(d.Claims.Expiry):
				t.addRow("Expires:", d.Claims.Expiry.UTC().Format(time.RFC3339), relative(now, d.Claims.Expiry))
			default:
				t.addRow("Expired:", d.Claims.Expiry.UTC().Format(time.RFC3339), relative(now, d.Claims.Expiry))
			}
			if err := t.render(); err != nil {
				return err
			}
			_, err = fmt.Fprintln(f.IO.Out, notVerified)
			return err
		},
	}
}

// relative says how far t is from now in words: "in 6 days 21 hours", "3 minutes ago".
func relative(now, t time.Time) string {
	d := t.Sub(now)
	if d >= 0 {
		return "in " + words(d)
	}
	return words(-d) + " ago"
}

// words writes d with its two largest units.
func words(d time.Duration) string {
	units := []struct {
		name string
		size time.Duration
	}{{"day", 24 * time.Hour}, {"hour", time.Hour}, {"minute", time.Minute}, {"second", time.Second}}
	var parts []string
	for _, u := range units {
		if n := d / u.size; n > 0 && len(parts) < 2 {
			parts = append(parts, plural(int64(n), u.name))
			d -= n * u.size
		} else if len(parts) > 0 {
			break
		}
	}
	if len(parts) == 0 {
		return "0 seconds"
	}
	return strings.Join(parts, " ")
}

func plural(n int64, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

func newJWTVerifyCmd(f *Factory) *cobra.Command {
	var jwks, aud, clientID, thumbprint string
	cmd := &cobra.Command{
		Use:   "verify TOKEN|- --jwks FILE|URL [--aud A] [--client-id ID] [--thumbprint KID]",
		Short: "Verify a Plex JWT against a key set",
		Long: `Verify a Plex JWT: its signature by the key its kid names in the key set (EdDSA; RS256 for RSA
keys), iss "plex.tv", aud containing "plex.tv" (and --client-id and --aud when given), iat and
exp with 60 s leeway, and, with --thumbprint, that it was issued to the device key with that
kid. The key set is a JWKS file or URL (plex.tv's is ` + DefaultPlexTVURL + `/api/v2/auth/keys).

Exit status: 0 valid; 1 invalid, with the failed check on stderr; 2 usage error.`,
		Example: `  plexkit jwt verify "$PLEX_TOKEN" --jwks ` + DefaultPlexTVURL + `/api/v2/auth/keys
  plexkit jwt verify - --jwks keys.json --client-id "$(jq -r .clientIdentifier ~/.config/plexkit/device.json)" < token.txt`,
		Args: exactArgs(1, "TOKEN or -"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if jwks == "" {
				return usageErrorf("--jwks FILE|URL is required")
			}
			token, err := tokenArg(f, args[0])
			if err != nil {
				return err
			}
			keys, err := keySource(jwks)
			if err != nil {
				return err
			}
			v := plextv.NewVerifier(keys, plextv.VerifierOptions{Now: f.Now})
			ctx, cancel := context.WithTimeout(cmd.Context(), time.Minute)
			defer cancel()
			c, err := v.Verify(ctx, token, plextv.Expect{ClientIdentifier: clientID, Audience: aud, Thumbprint: thumbprint})
			if err != nil {
				var ve *plextv.VerifyError
				if errors.As(err, &ve) && ve.Check != "keys" {
					return fmt.Errorf("invalid: %w", err)
				}
				return err
			}
			if f.JSON {
				return printJSON(f.IO, map[string]any{
					"valid": true, "kid": c.KeyID, "claims": c.Raw,
					"expiresAt": c.Expiry.UTC().Format(time.RFC3339), "expiry": relative(f.Now(), c.Expiry),
				})
			}
			who := c.User.Username
			if who == "" {
				who = fmt.Sprintf("account id %d", c.User.ID)
			}
			_, err = fmt.Fprintf(f.IO.Out, "valid: Plex JWT for %s, signed by key %s, expires %s (%s)\n",
				who, c.KeyID, c.Expiry.UTC().Format(time.RFC3339), relative(f.Now(), c.Expiry))
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&jwks, "jwks", "", "key set: a JWKS file, or an http(s) URL")
	fl.StringVar(&aud, "aud", "", "an audience the token must also carry")
	fl.StringVar(&clientID, "client-id", "", "client identifier the token must be issued to (in aud)")
	fl.StringVar(&thumbprint, "thumbprint", "", "kid of the device key the token must be bound to")
	return cmd
}

// keySource reads --jwks: an http(s) URL is fetched when needed, anything else is a file read now.
func keySource(jwks string) (plextv.KeySet, error) {
	if strings.HasPrefix(jwks, "https://") || strings.HasPrefix(jwks, "http://") {
		return plextv.RemoteKeys(jwks, &http.Client{Timeout: 30 * time.Second}), nil
	}
	b, err := os.ReadFile(jwks)
	if err != nil {
		return nil, fmt.Errorf("read the key set: %w", err)
	}
	set, err := plextv.ParseKeySet(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", jwks, err)
	}
	return plextv.StaticKeys(jose.JSONWebKeySet{Keys: set.Keys}), nil
}
