package doctor

import (
	"errors"
	"fmt"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/devicekey"
)

func (r *run) checkPin() *Finding {
	if r.in.PinID == 0 {
		return nil
	}
	detail := map[string]any{"pinID": r.in.PinID}
	djwt := r.in.DeviceJWT
	if dev := r.in.Device; dev != nil {
		var err error
		djwt, err = dev.Key.SignDeviceJWT(devicekey.DeviceClaims{ClientIdentifier: dev.ClientIdentifier, IssuedAt: r.now()})
		if err != nil {
			return warn("could not sign a device JWT to poll the PIN with: "+r.scrub(err.Error()), "check the device key", detail)
		}
	}
	pin, err := r.in.PlexTV.Pins.Get(r.ctx, r.in.PinID, djwt)
	switch {
	case errors.Is(err, plexkit.ErrNotFound):
		return fail(fmt.Sprintf("plex.tv does not know PIN %d (404, code not found or expired): PINs expire 15 minutes (4-character) or 30 minutes (strong) after they are created, approved or not", r.in.PinID),
			"start again with a new PIN: `plexkit login`, and approve it within its lifetime", detail)
	case err != nil:
		detail["status"] = plexkit.StatusOf(err)
		if plexkit.StatusOf(err) == 0 {
			detail["unreachable"] = true
		}
		return fail("could not read the PIN from plex.tv: "+r.scrub(err.Error()),
			"poll with the client identifier the PIN was created with, and a device JWT signed by the key it carries", detail)
	}
	detail["code"] = pin.Code
	detail["expiresAt"] = pin.ExpiresAt
	if pin.AuthToken == "" {
		r.pinPending = true
		left := "it has expired"
		if !pin.ExpiresAt.IsZero() && r.now().Before(pin.ExpiresAt) {
			left = "it expires at " + pin.ExpiresAt.UTC().Format(time.RFC3339) + " (" + ago(r.now(), pin.ExpiresAt) + ")"
		}
		return fail(fmt.Sprintf("PIN %d (code %s) has not been approved: nobody has signed in and approved it at the auth or link page, so plex.tv holds no token for this device yet (authToken is null); %s", pin.ID, pin.Code, left),
			"open the page `plexkit login` printed (or plex.tv/link for a 4-character code), sign in as the account and approve the code, while the program keeps polling", detail)
	}
	return pass(fmt.Sprintf("PIN %d (code %s) was approved: plex.tv hands its token to the device that polls it", pin.ID, pin.Code), detail)
}
