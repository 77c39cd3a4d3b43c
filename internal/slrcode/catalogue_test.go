package slrcode

import (
	"errors"
	"strings"
	"testing"
)

func TestFamilyOf(t *testing.T) {
	t.Parallel()
	tests := []struct{ pid, family string }{
		{"C9200-24P", "C9200"},
		{"C9200L-48P-4X", "C9200"},
		{"C9300-24UX", "C9300"},
		{"C9300L-24T-4G", "C9300"},
		{"C9300X-48HX", "C9300"},
		{"C9400-SUP-1", "C9400"},
		{"C9407R", "C9400"},
		{"C9410R", "C9400"},
		{"C9500-32C", "C9500"},
		{"C9800-40-K9", "C9800"},
		{"ASR1001-X", "ASR1000"},
		{"ASR1006-X", "ASR1000"},
		{"ISR4331/K9", "ISR4000"},
		{"C8300-1N1S-6T", "C8000"},
		{"C8000V", "C8000"},
		{"N540X-8Z16G-SYS-A", "NCS540"},
	}
	for _, tt := range tests {
		f, err := FamilyOf(tt.pid)
		if err != nil || f.ID != tt.family {
			t.Errorf("FamilyOf(%q) = %q, %v; want %q", tt.pid, f.ID, err, tt.family)
		}
	}
}

func TestFamilyOfUnsupported(t *testing.T) {
	t.Parallel()
	for _, pid := range []string{"C9600-LC-24C", "C9200", "C93000-24", "ISR1100-4G", "c9300-24ux", "", "N540"} {
		_, err := FamilyOf(pid)
		if !errors.Is(err, ErrUnsupportedProduct) {
			t.Errorf("FamilyOf(%q) error = %v, want ErrUnsupportedProduct", pid, err)
			continue
		}
		var upe *UnsupportedProductError
		if !errors.As(err, &upe) || upe.PID != pid {
			t.Errorf("FamilyOf(%q) error = %v, does not carry the PID", pid, err)
		}
		if pid != "" && !strings.Contains(err.Error(), pid) {
			t.Errorf("FamilyOf(%q) error %q does not name the PID", pid, err)
		}
	}
	if got, want := (&UnsupportedProductError{PID: "ISR1100-4G"}).Error(), "product ISR1100-4G does not support Specific License Reservation"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestFamiliesCatalogue(t *testing.T) {
	t.Parallel()
	var ids []string
	for _, f := range Families() {
		ids = append(ids, f.ID)
	}
	if got, want := strings.Join(ids, " "), "C9200 C9300 C9400 C9500 C9800 ASR1000 ISR4000 C8000 NCS540"; got != want {
		t.Errorf("Families() order = %s, want %s", got, want)
	}
	// FamilyOf takes the first match, which is right only if no prefix of
	// one family is a prefix of another family's.
	fams := Families()
	for i, a := range fams {
		for j, b := range fams {
			if i == j {
				continue
			}
			for _, pa := range a.Prefixes {
				for _, pb := range b.Prefixes {
					if strings.HasPrefix(pa, pb) {
						t.Errorf("prefix %q of %s starts with prefix %q of %s", pa, a.ID, pb, b.ID)
					}
				}
			}
		}
	}
}

func TestFamiliesAreCopies(t *testing.T) {
	t.Parallel()
	fams := Families()
	fams[0].Prefixes[0] = "X"
	fams[0].Name = "X"
	f, ok := FamilyByID("C9200")
	if !ok || f.Name != "Catalyst 9200" || f.Prefixes[0] != "C9200-" {
		t.Errorf("the catalogue changed through Families(): %+v", f)
	}
	f.Prefixes[0] = "Y"
	if g, _ := FamilyOf("C9200-24P"); g.Prefixes[0] != "C9200-" {
		t.Errorf("the catalogue changed through FamilyByID(): %+v", g)
	}
	if _, ok := FamilyByID("C9600"); ok {
		t.Error("FamilyByID found an unknown family")
	}
}
