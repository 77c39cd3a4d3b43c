package slrcode

import (
	"errors"
	"strings"
	"testing"
)

func TestReturnCodeShape(t *testing.T) {
	t.Parallel()
	got := ReturnCode("00000000-0000-4000-8000-000000000000", "sig")
	groups := strings.Split(got, "-")
	if len(groups) != 8 {
		t.Fatalf("ReturnCode = %q, want 8 groups", got)
	}
	for _, g := range groups {
		if len(g) != 6 || strings.Trim(g, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
			t.Fatalf("ReturnCode = %q: group %q is not 6 base32 characters", got, g)
		}
	}
	if ReturnCode("00000000-0000-4000-8000-000000000000", "sig2") == got {
		t.Error("ReturnCode ignores the signature")
	}
	if ReturnCode("00000000-0000-4000-8000-000000000001", "sig") == got {
		t.Error("ReturnCode ignores the piid")
	}
}

func TestMatchReturnCode(t *testing.T) {
	t.Parallel()
	want := goldenReturnCode
	tests := []struct {
		input string
		match bool
	}{
		{want, true},
		{strings.ToLower(want), true},
		{strings.ReplaceAll(want, "-", ""), true},
		{strings.ReplaceAll(want, "-", " "), true},
		{"  " + strings.ReplaceAll(strings.ToLower(want), "-", " - ") + "\n", true},
		{strings.ReplaceAll(want, "-", "\u00a0"), true}, // pasted from a web page
		{"2YMSV3-GYRNQH-HT5LHF-KOCNXF-W6FNS2-67LGFB-BEQ4KC-O3SF73", false},
		{"2YMSV3-GYRNQH-HT5LHF-KOCNXF-W6FNS2-67LGFB-BEQ4KC", false},
		{want + "A", false},
		{"", false},
		{"ı" + want[1:], false}, // no Unicode case folding into ASCII
		{strings.Repeat(" ", MaxInputSize) + want, false},
	}
	for _, tt := range tests {
		if got := MatchReturnCode(tt.input, want); got != tt.match {
			t.Errorf("MatchReturnCode(%.60q) = %v, want %v", tt.input, got, tt.match)
		}
	}
	if MatchReturnCode("", "") || MatchReturnCode(" - ", "-") {
		t.Error("an empty code matched")
	}
}

func TestMatchConfirmationCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		input string
		match bool
	}{
		{"ed73fc92", true},
		{"ED73FC92", true},
		{" ed73 fc92 ", true},
		{"ed73-fc92", true},
		{"ed73fc93", false},
		{"ed73fc9", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := MatchConfirmationCode(tt.input, goldenConfirmation); got != tt.match {
			t.Errorf("MatchConfirmationCode(%q) = %v, want %v", tt.input, got, tt.match)
		}
	}
}

func TestNormalizeReturnCode(t *testing.T) {
	t.Parallel()
	got, err := NormalizeReturnCode(strings.ToLower(strings.ReplaceAll(goldenReturnCode, "-", " ")))
	if err != nil || got != goldenReturnCode {
		t.Errorf("NormalizeReturnCode = %q, %v; want %q", got, err, goldenReturnCode)
	}
	for _, tt := range []struct{ in, part string }{
		{"", "length"},
		{goldenReturnCode[:20], "length"},
		{goldenReturnCode + "AB", "length"},
		{strings.Replace(goldenReturnCode, "2", "1", 1), "character"},
		{strings.Replace(goldenReturnCode, "2", "é", 1), "character"},
		{"\xff", "encoding"},
		{strings.Repeat("A", MaxInputSize+1), "length"},
	} {
		_, err := NormalizeReturnCode(tt.in)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Part != tt.part {
			t.Errorf("NormalizeReturnCode(%.60q) error = %v, want part %q", tt.in, err, tt.part)
		}
	}
}

func TestNormalizeConfirmationCode(t *testing.T) {
	t.Parallel()
	got, err := NormalizeConfirmationCode(" ED73-FC92 ")
	if err != nil || got != goldenConfirmation {
		t.Errorf("NormalizeConfirmationCode = %q, %v; want %q", got, err, goldenConfirmation)
	}
	for _, tt := range []struct{ in, part string }{
		{"", "length"},
		{"ed73fc9", "length"},
		{"ed73fc9g", "character"},
		{"\xff", "encoding"},
		{strings.Repeat("a", MaxInputSize+1), "length"},
	} {
		_, err := NormalizeConfirmationCode(tt.in)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Part != tt.part {
			t.Errorf("NormalizeConfirmationCode(%q) error = %v, want part %q", tt.in, err, tt.part)
		}
	}
}
