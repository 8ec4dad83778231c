package doctor_test

import (
	"context"
	"testing"
	"time"

	"github.com/plexkit/plexkit/doctor"
)

// FuzzRun feeds the doctor tokens and device JWTs of any shape, as people paste them: it must
// always return a report, never panic, and never show what it was given.
func FuzzRun(f *testing.F) {
	for _, seed := range [][2]string{
		{"", ""},
		{"AbCdEfGhIjKlMnOpQrSt", ""},
		{"eyJhbGciOiJub25lIn0.eyJpc3MiOiJwbGV4LnR2In0.", "a.b.c"},
		{"eyJhbGciOiJFZERTQSIsImtpZCI6IngifQ.e30.AAAA", "eyJhbGciOiJFZERTQSJ9.eyJzY29wZSI6WzFdfQ.AAAA"},
		{"...", "\x00\xff"},
		{"token with spaces\nand a newline", "eyJ.eyJ.eyJ"},
	} {
		f.Add(seed[0], seed[1])
	}
	e := startEmulator(f)
	dev := newRawDevice(f)
	c := newClient(f, e, dev.Device)
	f.Fuzz(func(t *testing.T, token, deviceJWT string) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		rep := doctor.Run(ctx, doctor.Input{PlexTV: c, Device: dev.Device, Token: token, Pasted: true, DeviceJWT: deviceJWT, ProbeTimeout: time.Second})
		if rep == nil || len(rep.Findings) == 0 {
			t.Fatalf("Run returned %v", rep)
		}
		if rep.OK && token == "" {
			t.Error("OK without a token")
		}
		var secrets []string
		for _, s := range []string{token, deviceJWT} {
			if len(s) >= 20 {
				secrets = append(secrets, s)
			}
		}
		assertNoSecrets(t, rep, secrets...)
	})
}
