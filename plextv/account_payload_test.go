package plextv_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/plextv"
)

// These tests feed the account services payloads shaped as the reference records plex.tv's
// (shared/reference/plex-beyond-spec.md part A, plex-api-shapes.md), in JSON and in XML, and
// check what the client sends. The end-to-end tests against the emulator are in account_test.go.

// seen is a request as the payload server received it.
type seen struct {
	method, path string
	query        url.Values
	header       http.Header
	body         string
}

// payloadServer answers each "METHOD /path" with its status and body, under a path prefix so
// that a client building absolute paths fails, and records the requests.
type payloadServer struct {
	mu     sync.Mutex
	reqs   []seen
	client *plextv.Client
}

type payload struct {
	status int
	body   string
}

func newPayloadServer(t *testing.T, routes map[string]payload) *payloadServer {
	t.Helper()
	ps := &payloadServer{}
	mux := http.NewServeMux()
	mux.HandleFunc("/prefix/", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		path := strings.TrimPrefix(r.URL.Path, "/prefix")
		ps.mu.Lock()
		ps.reqs = append(ps.reqs, seen{r.Method, path, r.URL.Query(), r.Header.Clone(), string(b)})
		ps.mu.Unlock()
		a, ok := routes[r.Method+" "+path]
		if !ok {
			http.Error(w, "no route", http.StatusNotFound)
			return
		}
		if strings.HasPrefix(strings.TrimSpace(a.body), "<") {
			w.Header().Set("Content-Type", "application/xml")
		} else {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := plextv.NewClient(
		plextv.WithBaseURL(srv.URL+"/prefix"),
		plextv.WithClientInfo(plexkit.DefaultClientInfo("this-device")),
		plextv.WithTokenSource(auth.StaticTokenSource(&auth.Token{Value: "account-token-0123456", Kind: auth.KindLegacy})),
		fastRetry,
	)
	if err != nil {
		t.Fatal(err)
	}
	ps.client = c
	return ps
}

func (ps *payloadServer) requests() []seen {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return append([]seen(nil), ps.reqs...)
}

// last returns the last request, failing the test when there was none.
func (ps *payloadServer) last(t *testing.T) seen {
	t.Helper()
	r := ps.requests()
	if len(r) == 0 {
		t.Fatal("no request reached the server")
	}
	return r[len(r)-1]
}

// accountXML is python-plexapi's fixture of GET /api/v2/user (plex-beyond-spec.md A.2).
const accountXML = `<?xml version="1.0" encoding="UTF-8"?>
<user id="12345" uuid="1234567890" username="testuser" title="testuser" email="testuser@email.com" friendlyName="Test User" locale="" confirmed="1" joinedAt="1497468190" emailOnlyAuth="0" hasPassword="1" protected="0" thumb="https://plex.tv/users/1234567890/avatar?c=1" authToken="faketoken0123456789" mailingListStatus="unsubscribed" mailingListActive="0" scrobbleTypes="" country="CA" subscriptionDescription="" restricted="0" anonymous="" home="1" guest="0" homeSize="2" homeAdmin="1" maxHomeSize="15" rememberExpiresAt="1700000000" adsConsent="" adsConsentSetAt="" adsConsentReminderAt="" experimentalFeatures="0" twoFactorEnabled="1" backupCodesCreated="0">
  <subscription active="1" subscribedAt="2023-03-24 00:00:00 UTC" status="Active" paymentService="" plan="lifetime">
    <features>
      <feature id="companions_sonos"/>
      <feature id="sync"/>
      <feature id="premium_music_metadata"/>
    </features>
  </subscription>
  <subscriptions/>
  <profile autoSelectAudio="0" defaultAudioLanguage="en" defaultSubtitleLanguage="en" autoSelectSubtitle="0" defaultSubtitleAccessibility="0" defaultSubtitleForced="0"/>
  <entitlements>
    <entitlement id="ios"/>
    <entitlement id="roku"/>
  </entitlements>
  <roles>
    <role id="plexpass"/>
  </roles>
  <services/>
</user>`

// accountJSON is the JSON form of the same account (plex-api-shapes.md A.3).
const accountJSON = `{"id": 12345, "uuid": "1234567890", "username": "testuser", "title": "testuser",
 "email": "testuser@email.com", "friendlyName": "Test User", "locale": null, "confirmed": true,
 "joinedAt": 1497468190, "emailOnlyAuth": false, "hasPassword": true, "protected": false,
 "thumb": "https://plex.tv/users/1234567890/avatar?c=1",
 "authToken": "faketoken0123456789", "mailingListStatus": "unsubscribed",
 "mailingListActive": false, "scrobbleTypes": "", "country": "CA",
 "subscription": {"active": true, "subscribedAt": "2023-03-24 00:00:00 UTC", "status": "Active",
                  "paymentService": null, "plan": "lifetime", "features": ["companions_sonos", "sync", "premium_music_metadata"]},
 "subscriptionDescription": null, "restricted": false, "anonymous": null, "home": true,
 "guest": false, "homeSize": 2, "homeAdmin": true, "maxHomeSize": 15,
 "rememberExpiresAt": 1700000000,
 "profile": {"autoSelectAudio": false, "defaultAudioLanguage": "en",
             "defaultSubtitleLanguage": "en", "autoSelectSubtitle": 0,
             "defaultSubtitleAccessibility": 0, "defaultSubtitleForced": 0},
 "entitlements": ["ios", "roku"], "roles": ["plexpass"], "subscriptions": [],
 "services": [{"identifier": "metadata-dev", "endpoint": "https://epg.provider.plex.tv", "token": "secret-token-xyz", "status": "online"}],
 "adsConsent": null, "adsConsentSetAt": null, "adsConsentReminderAt": null,
 "experimentalFeatures": false, "twoFactorEnabled": true, "backupCodesCreated": false}`

func TestUserDecodesJSONAndXMLAlike(t *testing.T) {
	t.Parallel()
	want := plextv.User{
		ID: 12345, UUID: "1234567890", Username: "testuser", Title: "testuser", Email: "testuser@email.com",
		FriendlyName: "Test User", Country: "CA", Thumb: "https://plex.tv/users/1234567890/avatar?c=1",
		Confirmed: true, JoinedAt: 1497468190, RememberExpiresAt: 1700000000, HasPassword: true,
		Home: true, HomeAdmin: true, HomeSize: 2, MaxHomeSize: 15, MailingListStatus: "unsubscribed",
		TwoFactorEnabled: true,
		Subscription: &plextv.Subscription{Active: true, SubscribedAt: "2023-03-24 00:00:00 UTC", Status: "Active", Plan: "lifetime",
			Features: plextv.IDList{"companions_sonos", "sync", "premium_music_metadata"}},
		Profile:      &plextv.Profile{DefaultAudioLanguage: "en", DefaultSubtitleLanguage: "en"},
		Roles:        plextv.IDList{"plexpass"},
		Entitlements: plextv.IDList{"ios", "roku"},
	}
	for _, tt := range []struct{ name, body string }{{"XML", accountXML}, {"JSON", accountJSON}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ps := newPayloadServer(t, map[string]payload{"GET /api/v2/user": {200, tt.body}})
			u, err := ps.client.Users.Me(context.Background(), "")
			if err != nil {
				t.Fatalf("Me: %v", err)
			}
			// The parts where the encodings differ by design are checked apart.
			if len(u.Subscriptions) != 0 {
				t.Errorf("Subscriptions = %v; want none", u.Subscriptions)
			}
			services := u.Services
			got := *u
			got.Subscriptions, got.Services = nil, nil
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Me =\n%+v\nwant\n%+v", got, want)
			}
			if tt.name == "JSON" && (len(services) != 1 || services[0] != (plextv.Service{Identifier: "metadata-dev", Endpoint: "https://epg.provider.plex.tv", Status: "online"})) {
				t.Errorf("Services = %+v", services)
			}
			if got := u.Subscription.Since(); !got.Equal(time.Date(2023, 3, 24, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("Since = %v; want 2023-03-24", got)
			}
			if !u.HasPlexPass() {
				t.Error("HasPlexPass = false for an active subscription")
			}
			b, _ := json.Marshal(u)
			if strings.Contains(string(b), "faketoken") || strings.Contains(string(b), "secret-token") {
				t.Errorf("the decoded user keeps a token: %s", b)
			}
		})
	}
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("password", func(t *testing.T) {
		t.Parallel()
		ps := newPayloadServer(t, map[string]payload{"POST /api/v2/users/signin": {201, accountJSON}})
		u, tok, err := ps.client.Users.SignIn(ctx, plextv.SignInOptions{Login: "testuser", Password: "p&ss word", VerificationCode: "123456", RememberMe: true})
		if err != nil {
			t.Fatalf("SignIn: %v", err)
		}
		if u.Username != "testuser" || tok.Value != "faketoken0123456789" || tok.Kind != auth.KindLegacy {
			t.Errorf("SignIn = %s, %v", u.Username, tok.Kind)
		}
		r := ps.last(t)
		form, _ := url.ParseQuery(r.body)
		want := url.Values{"login": {"testuser"}, "password": {"p&ss word"}, "verificationCode": {"123456"}, "rememberMe": {"true"}}
		if !reflect.DeepEqual(form, want) || r.header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			t.Errorf("sent %s (%s); want the form %v", r.body, r.header.Get("Content-Type"), want)
		}
		if r.header.Get("X-Plex-Token") != "" {
			t.Error("a sign-in carried a token")
		}
	})
	t.Run("XML answer", func(t *testing.T) {
		t.Parallel()
		ps := newPayloadServer(t, map[string]payload{"POST /api/v2/users/signin": {201, accountXML}})
		u, tok, err := ps.client.Users.SignIn(ctx, plextv.SignInOptions{Login: "testuser@email.com", Password: "x"})
		if err != nil || u.ID != 12345 || tok.Value != "faketoken0123456789" {
			t.Fatalf("SignIn = %+v, %v, %v", u, tok, err)
		}
	})
	t.Run("two-factor", func(t *testing.T) {
		t.Parallel()
		ps := newPayloadServer(t, map[string]payload{"POST /api/v2/users/signin": {401,
			`<?xml version="1.0" encoding="UTF-8"?><errors><error code="1029" message="Please enter the verification code" status="401"/></errors>`}})
		_, _, err := ps.client.Users.SignIn(ctx, plextv.SignInOptions{Login: "testuser", Password: "secret-pw"})
		if !errors.Is(err, plextv.ErrVerificationCodeRequired) || !errors.Is(err, plexkit.ErrUnauthorized) {
			t.Errorf("SignIn = %v; want ErrVerificationCodeRequired and ErrUnauthorized", err)
		}
		if strings.Contains(err.Error(), "secret-pw") {
			t.Errorf("the error %q shows the password", err)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		t.Parallel()
		ps := newPayloadServer(t, map[string]payload{"POST /api/v2/users/signin": {401,
			`{"errors":[{"code":1001,"message":"User could not be authenticated","status":401}]}`}})
		_, _, err := ps.client.Users.SignIn(ctx, plextv.SignInOptions{Login: "testuser", Password: "wrong"})
		if !errors.Is(err, plexkit.ErrUnauthorized) || errors.Is(err, plextv.ErrVerificationCodeRequired) {
			t.Errorf("SignIn = %v; want ErrUnauthorized only", err)
		}
		if n := len(ps.requests()); n != 1 {
			t.Errorf("the sign-in was sent %d times; a POST is never retried", n)
		}
	})
	t.Run("missing credentials", func(t *testing.T) {
		t.Parallel()
		ps := newPayloadServer(t, nil)
		for _, o := range []plextv.SignInOptions{{Login: " ", Password: "x"}, {Login: "a"}} {
			if _, _, err := ps.client.Users.SignIn(ctx, o); !errors.Is(err, plextv.ErrMissingCredentials) {
				t.Errorf("SignIn(%+v) = %v; want ErrMissingCredentials", o.Login, err)
			}
		}
		if n := len(ps.requests()); n != 0 {
			t.Errorf("%d requests were sent without credentials", n)
		}
	})
}

// usersXML is GET /api/users/ (plex-beyond-spec.md A.5): a friend and a managed Home user.
const usersXML = `<?xml version="1.0" encoding="UTF-8"?>
<MediaContainer friendlyName="myPlex" identifier="com.plexapp.plugins.myplex" machineIdentifier="abc" totalSize="2" size="2">
  <User id="21384602" title="Bob" username="bob" email="bob@example.com" recommendationsPlaylistId="" thumb="https://plex.tv/users/b/avatar?c=1" protected="0" home="0" allowTuners="0" allowSync="1" allowCameraUpload="0" allowChannels="0" allowSubtitleAdmin="0" filterAll="" filterMovies="contentRating=G" filterMusic="" filterPhotos="" filterTelevision="" restricted="0">
    <Server id="901" serverId="77" machineIdentifier="nas-mid" name="alice-nas" lastSeenAt="1700000000" numLibraries="1" allLibraries="0" owned="1" pending="0"/>
  </User>
  <User id="21384603" title="Carol" username="" email="" thumb="" protected="1" home="1" allowTuners="0" allowSync="0" allowCameraUpload="0" allowChannels="0" allowSubtitleAdmin="0" filterAll="" filterMovies="" filterMusic="" filterPhotos="" filterTelevision="" restricted="1">
    <Server id="902" serverId="77" machineIdentifier="nas-mid" name="alice-nas" lastSeenAt="1700000000" numLibraries="2" allLibraries="1" owned="1" pending="1"/>
  </User>
</MediaContainer>`

func TestFriendsListXML(t *testing.T) {
	t.Parallel()
	ps := newPayloadServer(t, map[string]payload{"GET /api/users/": {200, usersXML}})
	friends, err := ps.client.Friends.List(context.Background())
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	want := []plextv.Friend{
		{ID: 21384602, Title: "Bob", Username: "bob", Email: "bob@example.com", Thumb: "https://plex.tv/users/b/avatar?c=1", AllowSync: true, FilterMovies: "contentRating=G",
			Servers: []plextv.FriendServer{{ID: 901, ServerID: 77, MachineIdentifier: "nas-mid", Name: "alice-nas", LastSeenAt: 1700000000, NumLibraries: 1, Owned: true}}},
		{ID: 21384603, Title: "Carol", Protected: true, Home: true, Restricted: true,
			Servers: []plextv.FriendServer{{ID: 902, ServerID: 77, MachineIdentifier: "nas-mid", Name: "alice-nas", LastSeenAt: 1700000000, NumLibraries: 2, AllLibraries: true, Owned: true, Pending: true}}},
	}
	if !reflect.DeepEqual(friends, want) {
		t.Errorf("List =\n%+v\nwant\n%+v", friends, want)
	}
	if friends[0].Name() != "bob" || friends[1].Name() != "Carol" {
		t.Errorf("Name = %q, %q; want the username, else the title", friends[0].Name(), friends[1].Name())
	}
	if r := ps.last(t); r.header.Get("X-Plex-Token") != "account-token-0123456" {
		t.Error("the friends list was fetched without the account token")
	}
}

const serverXML = `<MediaContainer friendlyName="myPlex" identifier="com.plexapp.plugins.myplex" machineIdentifier="nas-mid" size="1">
  <Server name="alice-nas" address="1.2.3.4" port="32400" version="1.42.2" scheme="http" host="1.2.3.4" localAddresses="192.168.1.2" machineIdentifier="nas-mid" createdAt="1600000000" updatedAt="1700000000" owned="1" synced="0">
    <Section id="5001" key="1" type="movie" title="Movies"/>
    <Section id="5002" key="2" type="show" title="TV Shows"/>
  </Server>
</MediaContainer>`

const sharedServersXML = `<MediaContainer friendlyName="myPlex" identifier="com.plexapp.plugins.myplex" machineIdentifier="nas-mid" size="1">
  <SharedServer id="901" username="bob" email="bob@example.com" userID="21384602" accessToken="share-token-abcdef" name="alice-nas" invitedAt="1600000000" acceptedAt="1600000100" allowSync="1" allowCameraUpload="0" allowChannels="0" allowTuners="0" allowSubtitleAdmin="0" owned="1" allLibraries="0" filterAll="" filterMovies="" filterMusic="" filterPhotos="" filterTelevision="">
    <Section id="5001" key="1" title="Movies" type="movie" shared="1"/>
    <Section id="5002" key="2" title="TV Shows" type="show" shared="0"/>
  </SharedServer>
</MediaContainer>`

func TestSharing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ps := newPayloadServer(t, map[string]payload{
		"GET /api/servers/nas-mid":                       {200, serverXML},
		"GET /api/servers/nas-mid/shared_servers":        {200, sharedServersXML},
		"POST /api/servers/nas-mid/shared_servers":       {200, ""},
		"PUT /api/servers/nas-mid/shared_servers/901":    {200, ""},
		"DELETE /api/servers/nas-mid/shared_servers/901": {200, ""},
	})
	secs, err := ps.client.Sharing.Sections(ctx, "nas-mid")
	if err != nil || len(secs) != 2 || secs[1] != (plextv.ServerSection{ID: 5002, Key: "2", Title: "TV Shows", Type: "show"}) {
		t.Fatalf("Sections = %+v, %v", secs, err)
	}
	shares, err := ps.client.Sharing.List(ctx, "nas-mid")
	if err != nil || len(shares) != 1 {
		t.Fatalf("List = %+v, %v", shares, err)
	}
	sh := shares[0]
	if sh.ID != 901 || sh.UserID != 21384602 || sh.Username != "bob" || sh.AccessToken != "share-token-abcdef" || !sh.AllowSync {
		t.Errorf("share = %+v", sh)
	}
	if got := sh.SharedSections(); len(got) != 1 || got[0].Title != "Movies" {
		t.Errorf("SharedSections = %+v; want Movies only", got)
	}
	for _, s := range []string{sh.String(), sh.GoString()} {
		if strings.Contains(s, "share-token") {
			t.Errorf("%q shows the share's access token", s)
		}
	}

	if err := ps.client.Sharing.Invite(ctx, "nas-mid", plextv.Invitee{Email: "dave@example.com"}, plextv.Share{SectionIDs: []int64{5001}, AllowSync: true, FilterMovies: "label=kids"}); err != nil {
		t.Fatalf("Invite: %v", err)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(ps.last(t).body), &body); err != nil {
		t.Fatalf("the invitation is not JSON: %v", err)
	}
	wantBody := map[string]any{
		"server_id":        "nas-mid",
		"shared_server":    map[string]any{"library_section_ids": []any{5001.0}, "invited_email": "dave@example.com"},
		"sharing_settings": map[string]any{"allowSync": "1", "allowCameraUpload": "0", "allowChannels": "0", "filterMovies": "label=kids", "filterTelevision": "", "filterMusic": ""},
	}
	if !reflect.DeepEqual(body, wantBody) {
		t.Errorf("invitation = %v\nwant %v", body, wantBody)
	}

	if err := ps.client.Sharing.Update(ctx, "nas-mid", 901, plextv.Share{SectionIDs: []int64{5001, 5002}}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if r := ps.last(t); !strings.Contains(r.body, `"library_section_ids":[5001,5002]`) {
		t.Errorf("update sent %s", r.body)
	}
	if err := ps.client.Sharing.Remove(ctx, "nas-mid", 901); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if r := ps.last(t); r.method != http.MethodDelete || r.path != "/api/servers/nas-mid/shared_servers/901" {
		t.Errorf("Remove sent %s %s", r.method, r.path)
	}

	n := len(ps.requests())
	if err := ps.client.Sharing.Invite(ctx, "nas-mid", plextv.Invitee{}, plextv.Share{}); !errors.Is(err, plextv.ErrNoInvitee) {
		t.Errorf("Invite without invitee = %v", err)
	}
	if _, err := ps.client.Sharing.List(ctx, " "); !errors.Is(err, plextv.ErrNoMachineIdentifier) {
		t.Errorf("List without server = %v", err)
	}
	if len(ps.requests()) != n {
		t.Error("a refused call reached plex.tv")
	}
}

// homeJSON and homeXML are GET /api/v2/home/users (plex-beyond-spec.md A.6).
const homeJSON = `{"id":1,"name":"Alice's Home","guestUserID":2,"guestUserUUID":"g","guestEnabled":false,"subscription":true,
 "users":[{"id":21384601,"uuid":"a1","title":"Alice","username":"alice","email":"alice@example.com","thumb":"t","hasPassword":true,"restricted":false,"restrictionProfile":null,"admin":true,"guest":false,"protected":false},
          {"id":21384603,"uuid":"c3","title":"Carol","username":null,"email":null,"thumb":"t","hasPassword":false,"restricted":true,"restrictionProfile":"little_kid","admin":false,"guest":false,"protected":true}]}`

const homeXML = `<?xml version="1.0" encoding="UTF-8"?>
<home id="1" name="Alice's Home" guestUserID="2" guestUserUUID="g" guestEnabled="0" subscription="1">
  <users>
    <user id="21384601" uuid="a1" title="Alice" username="alice" email="alice@example.com" friendlyName="" thumb="t" hasPassword="1" restricted="0" updatedAt="0" restrictionProfile="" admin="1" guest="0" protected="0"/>
    <user id="21384603" uuid="c3" title="Carol" username="" email="" friendlyName="" thumb="t" hasPassword="0" restricted="1" updatedAt="0" restrictionProfile="little_kid" admin="0" guest="0" protected="1"/>
  </users>
</home>`

func TestHome(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	want := []plextv.HomeUser{
		{ID: 21384601, UUID: "a1", Title: "Alice", Username: "alice", Email: "alice@example.com", Thumb: "t", HasPassword: true, Admin: true},
		{ID: 21384603, UUID: "c3", Title: "Carol", Thumb: "t", Restricted: true, RestrictionProfile: "little_kid", Protected: true},
	}
	for _, tt := range []struct{ name, body string }{{"JSON", homeJSON}, {"XML", homeXML}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ps := newPayloadServer(t, map[string]payload{"GET /api/v2/home/users": {200, tt.body}})
			users, err := ps.client.Home.List(ctx)
			if err != nil || !reflect.DeepEqual(users, want) {
				t.Errorf("List = %+v, %v\nwant %+v", users, err, want)
			}
			if len(users) == 2 && (users[0].Managed() || !users[1].Managed()) {
				t.Errorf("Managed = %v, %v; want false, true", users[0].Managed(), users[1].Managed())
			}
		})
	}
	t.Run("switch", func(t *testing.T) {
		t.Parallel()
		ps := newPayloadServer(t, map[string]payload{"POST /api/v2/home/users/c3/switch": {201,
			`{"id":21384603,"uuid":"c3","username":"","title":"Carol","authToken":"carol-token-0123456789","restricted":true,"home":true,"protected":true}`}})
		sw, err := ps.client.Home.Switch(ctx, "c3", "1234")
		if err != nil {
			t.Fatalf("Switch: %v", err)
		}
		if sw.User.Title != "Carol" || sw.Token.Value != "carol-token-0123456789" {
			t.Errorf("Switch = %+v", sw.User)
		}
		tok, err := sw.TokenSource().Token(ctx)
		if err != nil || tok.Value != "carol-token-0123456789" {
			t.Errorf("TokenSource().Token = %v, %v", tok, err)
		}
		r := ps.last(t)
		if r.query.Get("pin") != "1234" || r.header.Get("X-Plex-Token") != "account-token-0123456" {
			t.Errorf("switch sent pin %q with token %q", r.query.Get("pin"), r.header.Get("X-Plex-Token"))
		}
	})
	t.Run("wrong PIN", func(t *testing.T) {
		t.Parallel()
		ps := newPayloadServer(t, map[string]payload{"POST /api/v2/home/users/c3/switch": {401,
			`{"errors":[{"code":1041,"message":"A valid PIN is required to perform this action"}]}`}})
		_, err := ps.client.Home.Switch(ctx, "c3", "9876")
		if !errors.Is(err, plextv.ErrHomePINRequired) || !errors.Is(err, plexkit.ErrUnauthorized) {
			t.Errorf("Switch = %v; want ErrHomePINRequired", err)
		}
		if strings.Contains(err.Error(), "9876") {
			t.Errorf("the error %q shows the PIN", err)
		}
	})
}

// devicesXML is GET /devices.xml (plex-beyond-spec.md A.7).
const devicesXML = `<?xml version="1.0" encoding="UTF-8"?>
<MediaContainer publicAddress="1.2.3.4">
  <Device name="iPhone" publicAddress="1.2.3.4" product="Plex for iOS" productVersion="8.0" platform="iOS" platformVersion="17.0" device="iPhone" model="14,2" vendor="Apple" provides="client,controller,player" clientIdentifier="phone-cid" version="8.0" id="111" token="device-token-aaaaaa" createdAt="1600000000" lastSeenAt="1700000000" screenResolution="1170x2532" screenDensity="3">
    <Connection uri="http://192.168.1.130:32500"/>
  </Device>
  <Device name="plexkit" publicAddress="" product="plexkit" productVersion="dev" platform="linux" platformVersion="amd64" device="plexkit" model="" vendor="" provides="" clientIdentifier="this-device" version="dev" id="222" token="device-token-bbbbbb" createdAt="1600000000" lastSeenAt="0" screenResolution="" screenDensity=""/>
</MediaContainer>`

func TestDevices(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ps := newPayloadServer(t, map[string]payload{
		"GET /devices.xml":        {200, devicesXML},
		"DELETE /devices/111.xml": {200, ""},
		"DELETE /devices/222.xml": {200, ""},
		"PUT /devices/111.xml":    {200, ""},
	})
	devices, err := ps.client.Devices.List(ctx)
	if err != nil || len(devices) != 2 {
		t.Fatalf("List = %+v, %v", devices, err)
	}
	phone := plextv.Device{ID: 111, Name: "iPhone", Product: "Plex for iOS", ProductVersion: "8.0", Platform: "iOS", PlatformVersion: "17.0",
		Device: "iPhone", Model: "14,2", Vendor: "Apple", Provides: "client,controller,player", ClientIdentifier: "phone-cid", Version: "8.0",
		PublicAddress: "1.2.3.4", CreatedAt: 1600000000, LastSeenAt: 1700000000, ScreenResolution: "1170x2532", ScreenDensity: "3",
		Connections: []plextv.DeviceConnection{{URI: "http://192.168.1.130:32500"}}}
	if !reflect.DeepEqual(devices[0], phone) {
		t.Errorf("device = %+v\nwant %+v", devices[0], phone)
	}
	if !devices[1].LastSeen().IsZero() || devices[0].LastSeen().Unix() != 1700000000 {
		t.Errorf("LastSeen = %v, %v", devices[0].LastSeen(), devices[1].LastSeen())
	}

	if err := ps.client.Devices.Rename(ctx, 111, "Alice's iPhone"); err != nil {
		t.Fatalf("Rename: %v", err)
	}
	if r := ps.last(t); r.method != http.MethodPut || r.query.Get("name") != "Alice's iPhone" {
		t.Errorf("Rename sent %s %s?%v", r.method, r.path, r.query)
	}

	err = ps.client.Devices.Remove(ctx, 222, plextv.RemoveOptions{})
	var te *plextv.ThisDeviceError
	if !errors.Is(err, plextv.ErrThisDevice) || !errors.As(err, &te) || te.ClientIdentifier != "this-device" {
		t.Fatalf("Remove(this device) = %v; want a *ThisDeviceError", err)
	}
	if !strings.Contains(err.Error(), "stops working until you log in again") {
		t.Errorf("the refusal %q does not say what removing the device means", err)
	}
	for _, r := range ps.requests() {
		if r.method == http.MethodDelete {
			t.Fatalf("an unconfirmed removal of this device sent %s %s", r.method, r.path)
		}
	}
	if err := ps.client.Devices.Remove(ctx, 111, plextv.RemoveOptions{}); err != nil {
		t.Fatalf("Remove(other device): %v", err)
	}
	if r := ps.last(t); r.method != http.MethodDelete || r.path != "/devices/111.xml" {
		t.Errorf("Remove sent %s %s", r.method, r.path)
	}
	if err := ps.client.Devices.Remove(ctx, 222, plextv.RemoveOptions{ThisDevice: true}); err != nil {
		t.Fatalf("Remove(this device, confirmed): %v", err)
	}
	if err := ps.client.Devices.Remove(ctx, 333, plextv.RemoveOptions{}); !errors.Is(err, plextv.ErrNoSuchDevice) {
		t.Errorf("Remove(unknown) = %v; want ErrNoSuchDevice", err)
	}
}

func TestWebhooks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tt := range []struct{ name, body string }{
		{"JSON objects", `[{"url":"https://a.example/hook"},{"url":"http://b.example/x"}]`},
		{"JSON strings", `["https://a.example/hook","http://b.example/x"]`},
		{"XML", `<?xml version="1.0" encoding="UTF-8"?><webhooks><webhook url="https://a.example/hook"/><webhook url="http://b.example/x"/></webhooks>`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ps := newPayloadServer(t, map[string]payload{"GET /api/v2/user/webhooks": {200, tt.body}})
			got, err := ps.client.Webhooks.List(ctx)
			if want := []string{"https://a.example/hook", "http://b.example/x"}; err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("List = %q, %v; want %q", got, err, want)
			}
		})
	}
	t.Run("add and remove", func(t *testing.T) {
		t.Parallel()
		ps := newPayloadServer(t, map[string]payload{
			"GET /api/v2/user/webhooks":  {200, `[{"url":"https://a.example/hook"}]`},
			"POST /api/v2/user/webhooks": {201, `[{"url":"https://a.example/hook"},{"url":"https://c.example/"}]`},
		})
		got, err := ps.client.Webhooks.Add(ctx, "https://c.example/")
		if err != nil || len(got) != 2 {
			t.Fatalf("Add = %q, %v", got, err)
		}
		form, _ := url.ParseQuery(ps.last(t).body)
		if want := (url.Values{"urls[]": {"https://a.example/hook", "https://c.example/"}}); !reflect.DeepEqual(form, want) {
			t.Errorf("Add posted %v; want the whole list %v", form, want)
		}
		if _, err := ps.client.Webhooks.Remove(ctx, "https://a.example/hook"); err != nil {
			t.Fatalf("Remove: %v", err)
		}
		if form, _ := url.ParseQuery(ps.last(t).body); !reflect.DeepEqual(form, url.Values{"urls": {""}}) {
			t.Errorf("removing the last webhook posted %v; want urls= (clear)", form)
		}
		if _, err := ps.client.Webhooks.Remove(ctx, "https://nowhere.example/"); !errors.Is(err, plextv.ErrNoSuchWebhook) {
			t.Errorf("Remove(unknown) = %v; want ErrNoSuchWebhook", err)
		}
		n := len(ps.requests())
		for _, bad := range []string{"", "ftp://x.example/", "/relative", "http://"} {
			if _, err := ps.client.Webhooks.Add(ctx, bad); err == nil {
				t.Errorf("Add(%q) accepted", bad)
			}
		}
		if len(ps.requests()) != n {
			t.Error("an invalid webhook reached plex.tv")
		}
	})
	t.Run("without Plex Pass", func(t *testing.T) {
		t.Parallel()
		ps := newPayloadServer(t, map[string]payload{"GET /api/v2/user/webhooks": {403, `{"errors":[{"code":1006,"message":"Plex Pass required","status":403}]}`}})
		if _, err := ps.client.Webhooks.List(ctx); !errors.Is(err, plexkit.ErrForbidden) {
			t.Errorf("List = %v; want ErrForbidden", err)
		}
	})
}
