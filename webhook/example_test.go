package webhook_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"

	"github.com/plexkit/plexkit/webhook"
)

// A receiver for Plex webhooks at https://<host>/plex/<secret>: each event is printed; posts
// without the secret are refused.
func ExampleHandler() {
	h := &webhook.Handler{
		Secret: "2b7e1516",
		OnEvent: func(_ *http.Request, ev webhook.Event) error {
			fmt.Printf("%s by %s: %s (%s) on %s\n", ev.Event, ev.Account.Title, ev.Metadata.Title, ev.Metadata.Type, ev.Player.Title)
			return nil
		},
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	// What a Plex Media Server posts.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("payload", `{"event":"media.pause","user":true,"owner":true,"Account":{"id":1,"title":"alice"},`+
		`"Server":{"title":"alice-nas","uuid":"0123"},"Player":{"local":true,"title":"Living room","uuid":"abc"},`+
		`"Metadata":{"ratingKey":"1001","type":"movie","title":"Frozen River"}}`)
	_ = mw.Close()
	resp, err := http.Post(srv.URL+"/plex/2b7e1516", mw.FormDataContentType(), bytes.NewReader(body.Bytes()))
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	resp, err = http.Post(srv.URL+"/plex/guessed", mw.FormDataContentType(), bytes.NewReader(body.Bytes()))
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println("without the secret:", resp.StatusCode)
	// Output:
	// media.pause by alice: Frozen River (movie) on Living room
	// without the secret: 403
}
