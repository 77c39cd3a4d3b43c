package main

import (
	"context"
	"fmt"
	"strings"

	"slrportal/internal/slrcode"
)

// showTime is how IOS-XE writes times in "show license" output.
const showTime = "Jan 02 15:04:05 2006 MST"

// cmdShow prints the license status the way IOS-XE's "show license status"
// and "show license reservation" do, so that what operators read in the
// portal's documentation matches what they see.
func (a *app) cmdShow(_ context.Context, o *options) error {
	_, s, err := a.loadDevice(o)
	if err != nil {
		return err
	}
	code, err := s.installed()
	if err != nil {
		return err
	}
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }

	w("Smart Licensing Status")
	w("======================")
	w("")
	w("UDI: %s", s.udi())
	w("")
	w("License Reservation: ENABLED")
	w("")
	w("Registration:")
	if code != nil {
		w("  Status: REGISTERED - SPECIFIC LICENSE RESERVATION")
		w("  Export-Controlled Functionality: ALLOWED")
		w("  Initial Registration: SUCCEEDED on %s", s.InstalledAt.UTC().Format(showTime))
		w("  Last Confirmation code: %s", s.LastConfirmationCode)
	} else {
		w("  Status: UNREGISTERED")
		if s.RequestNonce != "" {
			rc, err := slrcode.FormatRequestCode(s.PID, s.SN, s.RequestNonce)
			if err != nil {
				return fmt.Errorf("show: %w", err)
			}
			w("  Reservation request in progress: %s", rc)
		}
		if s.LastReturnCode != "" {
			w("  Last return code: %s", s.LastReturnCode)
		}
	}
	w("")
	w("License Authorization:")
	if code == nil {
		w("  Status: No Licenses in Use")
		fmt.Fprint(a.stdout, b.String())
		return nil
	}
	w("  Status: AUTHORIZED - RESERVED on %s", s.InstalledAt.UTC().Format(showTime))
	w("  Authorization code issued: %s", code.Time().Format(showTime))
	w("  Product instance: %s", code.PIID)
	w("")
	w("Specified license reservations:")
	if len(code.Entitlements) == 0 {
		w("  (none)")
	}
	for _, e := range code.Entitlements {
		name := e.DisplayName
		if name == "" {
			name = e.Tag
		}
		w("  %s (%s):", name, e.Tag)
		if e.TagDescription != "" {
			w("    Description: %s", e.TagDescription)
		}
		w("    Total reserved count: %d", e.Count)
		w("    License type: %s", e.LicenseType)
		if e.StartDate != "" {
			w("      Start Date: %s UTC", e.StartDate)
		}
		if e.EndDate != "" {
			w("      End Date: %s UTC", e.EndDate)
		}
		if e.SubscriptionID != "" {
			w("      Subscription ID: %s", e.SubscriptionID)
		}
	}
	fmt.Fprint(a.stdout, b.String())
	return nil
}
