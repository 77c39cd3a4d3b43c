package licensing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"slrportal/internal/access"
	"slrportal/internal/slrcode"
)

// ImportFile is the JSON document of DESIGN §7.2.
type ImportFile struct {
	SmartAccounts []ImportSA   `json:"smartAccounts"`
	Users         []ImportUser `json:"users"`
}

type ImportSA struct {
	Name            string     `json:"name"`
	Domain          string     `json:"domain"`
	SLREnabled      bool       `json:"slrEnabled"`
	VirtualAccounts []ImportVA `json:"virtualAccounts"`
}

type ImportVA struct {
	Name             string          `json:"name"`
	Description      string          `json:"description,omitempty"`
	Default          bool            `json:"default"`
	Licenses         []ImportLicense `json:"licenses"`
	ProductInstances []ImportPI      `json:"productInstances"`
}

type ImportLicense struct {
	Tag         string `json:"tag"`
	DisplayName string `json:"displayName"`
	Description string `json:"description,omitempty"`
	Family      string `json:"family"`
	Type        string `json:"type"`
	StartDate   string `json:"startDate,omitempty"`
	EndDate     string `json:"endDate,omitempty"`
	Purchased   int    `json:"purchased"`
}

type ImportPI struct {
	PID         string       `json:"pid"`
	SN          string       `json:"sn"`
	Hostname    string       `json:"hostname,omitempty"`
	Reservation []ImportLine `json:"reservation"`
}

type ImportLine struct {
	Tag   string `json:"tag"`
	Count int    `json:"count"`
}

type ImportUser struct {
	Username    string       `json:"username"`
	Password    string       `json:"password"`
	DisplayName string       `json:"displayName"`
	Roles       []ImportRole `json:"roles"`
}

type ImportRole struct {
	Role           string `json:"role"`
	SmartAccount   string `json:"smartAccount"`
	VirtualAccount string `json:"virtualAccount,omitempty"`
}

// ImportError names the JSON path of the first problem in an import file.
type ImportError struct {
	Path string
	Msg  string
}

func (e *ImportError) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// DecodeImport reads an import file strictly (unknown fields are errors).
func DecodeImport(r io.Reader) (ImportFile, error) {
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return ImportFile{}, fmt.Errorf("read import: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f ImportFile
	if err := dec.Decode(&f); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			line, col := position(data, syn.Offset)
			return ImportFile{}, &ImportError{Path: "$", Msg: fmt.Sprintf("malformed JSON at line %d, column %d: %v", line, col, syn)}
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return ImportFile{}, &ImportError{Path: "$", Msg: "malformed JSON: the file ends too early"}
		}
		// encoding/json names neither the place of an unknown field nor the
		// array indexes of a wrong value; find them by walking the document.
		if ie := locateMismatch(data, reflect.TypeFor[ImportFile]()); ie != nil {
			return ImportFile{}, ie
		}
		switch {
		case errors.As(err, &typ):
			return ImportFile{}, &ImportError{Path: "$." + typ.Field, Msg: fmt.Sprintf("expected %s, found %s", typ.Type, typ.Value)}
		}
		return ImportFile{}, &ImportError{Path: "$", Msg: err.Error()}
	}
	if dec.More() {
		return ImportFile{}, &ImportError{Path: "$", Msg: "malformed JSON: more than one document"}
	}
	return f, nil
}

// locateMismatch walks a syntactically valid document along t and returns
// the first unknown field or value of the wrong kind, with its JSON path;
// nil when it finds none.
func locateMismatch(data []byte, t reflect.Type) *ImportError {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	ie, _ := walkJSON(dec, "$", t)
	return ie
}

func walkJSON(dec *json.Decoder, path string, t reflect.Type) (*ImportError, error) {
	tok, err := dec.Token()
	if err != nil || tok == nil { // null fits every field
		return nil, err
	}
	mismatch := &ImportError{Path: path, Msg: fmt.Sprintf("expected %s, found %s", jsonKind(t.Kind()), tokenKind(tok))}
	switch t.Kind() {
	case reflect.Struct:
		if tok != json.Delim('{') {
			return mismatch, nil
		}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			key, _ := kt.(string)
			f, ok := fieldByJSONName(t, key)
			if !ok {
				return &ImportError{Path: path + "." + key, Msg: fmt.Sprintf("unknown field %q", key)}, nil
			}
			if ie, err := walkJSON(dec, path+"."+key, f.Type); ie != nil || err != nil {
				return ie, err
			}
		}
		_, err := dec.Token()
		return nil, err
	case reflect.Slice:
		if tok != json.Delim('[') {
			return mismatch, nil
		}
		for i := 0; dec.More(); i++ {
			if ie, err := walkJSON(dec, fmt.Sprintf("%s[%d]", path, i), t.Elem()); ie != nil || err != nil {
				return ie, err
			}
		}
		_, err := dec.Token()
		return nil, err
	case reflect.String:
		if _, ok := tok.(string); !ok {
			return mismatch, nil
		}
	case reflect.Bool:
		if _, ok := tok.(bool); !ok {
			return mismatch, nil
		}
	case reflect.Int:
		n, ok := tok.(json.Number)
		if !ok {
			return mismatch, nil
		}
		if _, err := strconv.ParseInt(string(n), 10, 0); err != nil {
			return &ImportError{Path: path, Msg: fmt.Sprintf("expected a whole number, found %s", n)}, nil
		}
	}
	return nil, nil
}

// fieldByJSONName matches a key as encoding/json does (case-insensitively).
func fieldByJSONName(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		if name != "-" && strings.EqualFold(name, key) {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.Struct:
		return "an object"
	case reflect.Slice:
		return "a list"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int:
		return "a whole number"
	}
	return k.String()
}

func tokenKind(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			return "an object"
		}
		return "a list"
	case string:
		return "a string"
	case bool:
		return "true or false"
	case json.Number:
		return "a number"
	}
	return "null"
}

func position(data []byte, off int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < off && i < int64(len(data)); i++ {
		if data[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// ImportStats says what an import created.
type ImportStats struct {
	SmartAccounts, VirtualAccounts, Licenses, Instances, Users int
}

// Import loads f in one transaction: all of it or nothing. Imported PIs with
// a reservation get a piid and a signed authorization code, exactly as if
// they had been reserved in the portal.
func (s *Service) Import(ctx context.Context, f ImportFile, bcryptCost int) (ImportStats, error) {
	var st ImportStats
	if err := validateImport(f); err != nil {
		return st, err
	}
	// Hash passwords before the transaction: bcrypt is slow on purpose.
	hashes := make([][]byte, len(f.Users))
	for i, u := range f.Users {
		h, err := bcrypt.GenerateFromPassword([]byte(u.Password), bcryptCost)
		if err != nil {
			return st, &ImportError{Path: fmt.Sprintf("$.users[%d].password", i), Msg: err.Error()}
		}
		hashes[i] = h
	}
	err := s.store.InTx(ctx, func(tx Repo) error {
		st = ImportStats{}
		vaIDs := map[string]int64{}
		saIDs := map[string]int64{}
		for i, isa := range f.SmartAccounts {
			p := fmt.Sprintf("$.smartAccounts[%d]", i)
			if _, err := tx.SmartAccountByName(ctx, isa.Name); err == nil {
				return &ImportError{Path: p + ".name", Msg: fmt.Sprintf("smart account %q already exists", isa.Name)}
			} else if !errors.Is(err, ErrNotFound) {
				return err
			}
			sa := SmartAccount{Name: isa.Name, Domain: isa.Domain, SLREnabled: isa.SLREnabled}
			if err := tx.CreateSmartAccount(ctx, &sa); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			saIDs[sa.Name] = sa.ID
			st.SmartAccounts++
			for j, iva := range isa.VirtualAccounts {
				vp := fmt.Sprintf("%s.virtualAccounts[%d]", p, j)
				va := VirtualAccount{SmartAccountID: sa.ID, Name: iva.Name, Description: iva.Description, Default: iva.Default}
				if err := tx.CreateVirtualAccount(ctx, &va); err != nil {
					return fmt.Errorf("%s: %w", vp, err)
				}
				vaIDs[sa.Name+"\x00"+va.Name] = va.ID
				st.VirtualAccounts++
				lic := make(map[string]License, len(iva.Licenses))
				for k, il := range iva.Licenses {
					l := License{VAID: va.ID, Tag: il.Tag, DisplayName: il.DisplayName, Description: il.Description,
						Family: il.Family, Type: LicenseType(il.Type), StartDate: il.StartDate, EndDate: il.EndDate, Purchased: il.Purchased}
					if err := tx.CreateLicense(ctx, &l); err != nil {
						return fmt.Errorf("%s.licenses[%d]: %w", vp, k, err)
					}
					lic[l.Tag] = l
					st.Licenses++
				}
				for k, ipi := range iva.ProductInstances {
					pp := fmt.Sprintf("%s.productInstances[%d]", vp, k)
					fam, _ := slrcode.FamilyOf(ipi.PID)
					now := s.now().UTC()
					pi := ProductInstance{VAID: va.ID, SAID: sa.ID, PIID: newPIID(), PID: ipi.PID, SN: ipi.SN, Family: fam.ID,
						Hostname: ipi.Hostname, Status: StatusReserved, CreatedAt: now, LastContact: now}
					for _, ln := range ipi.Reservation {
						pi.Lines = append(pi.Lines, Line{Tag: ln.Tag, Count: ln.Count})
					}
					pi.Lines = normalizeLines(pi.Lines)
					if id, err := tx.LiveUDI(ctx, sa.ID, pi.PID, pi.SN); err != nil {
						return err
					} else if id != 0 {
						return &ImportError{Path: pp + ".sn", Msg: fmt.Sprintf("device %s appears twice in smart account %q", pi.UDIString(), sa.Name)}
					}
					if err := tx.CreateInstance(ctx, &pi); err != nil {
						return fmt.Errorf("%s: %w", pp, err)
					}
					if len(pi.Lines) > 0 {
						if _, err := s.issueCode(ctx, tx, pi, pi.Lines, lic, "import", "import"); err != nil {
							return fmt.Errorf("%s: %w", pp, err)
						}
					}
					st.Instances++
				}
				if _, err := AppendEvent(ctx, tx, Event{At: s.now(), SAID: sa.ID, VAID: va.ID, Username: "import", Type: EventImport,
					Message:  fmt.Sprintf("Virtual account %s imported with %d license(s) and %d product instance(s)", va.Name, len(iva.Licenses), len(iva.ProductInstances)),
					Licenses: importTags(iva.Licenses)}); err != nil {
					return err
				}
			}
		}
		for i, iu := range f.Users {
			p := fmt.Sprintf("$.users[%d]", i)
			if _, err := tx.UserByUsername(ctx, iu.Username); err == nil {
				return &ImportError{Path: p + ".username", Msg: fmt.Sprintf("user %q already exists", iu.Username)}
			} else if !errors.Is(err, ErrNotFound) {
				return err
			}
			u := User{Username: iu.Username, DisplayName: iu.DisplayName, PasswordHash: hashes[i]}
			if err := tx.CreateUser(ctx, &u); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			st.Users++
			for j, ir := range iu.Roles {
				rp := fmt.Sprintf("%s.roles[%d]", p, j)
				role, _ := access.ParseRole(ir.Role)
				saID, ok := saIDs[ir.SmartAccount]
				if !ok {
					sa, err := tx.SmartAccountByName(ctx, ir.SmartAccount)
					if err != nil {
						return &ImportError{Path: rp + ".smartAccount", Msg: fmt.Sprintf("unknown smart account %q", ir.SmartAccount)}
					}
					saID = sa.ID
				}
				g := access.Grant{Role: role, SmartAccountID: saID}
				if !role.SAScoped() {
					vaID, ok := vaIDs[ir.SmartAccount+"\x00"+ir.VirtualAccount]
					if !ok {
						vas, err := tx.VirtualAccounts(ctx, saID)
						if err != nil {
							return err
						}
						for _, va := range vas {
							if va.Name == ir.VirtualAccount {
								vaID = va.ID
							}
						}
					}
					if vaID == 0 {
						return &ImportError{Path: rp + ".virtualAccount", Msg: fmt.Sprintf("unknown virtual account %q in smart account %q", ir.VirtualAccount, ir.SmartAccount)}
					}
					g.VirtualAccountID = vaID
				}
				if err := tx.AddGrant(ctx, u.ID, g); err != nil {
					return fmt.Errorf("%s: %w", rp, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return ImportStats{}, fmt.Errorf("import: %w", err)
	}
	return st, nil
}

// validateImport checks everything that needs no database, so most errors
// name their path before any transaction starts.
func validateImport(f ImportFile) error {
	if len(f.SmartAccounts) == 0 && len(f.Users) == 0 {
		return &ImportError{Path: "$", Msg: "the file holds no smart accounts and no users"}
	}
	saNames := map[string]map[string]bool{}
	for i, sa := range f.SmartAccounts {
		p := fmt.Sprintf("$.smartAccounts[%d]", i)
		if strings.TrimSpace(sa.Name) == "" {
			return &ImportError{Path: p + ".name", Msg: "a smart account needs a name"}
		}
		if saNames[sa.Name] != nil {
			return &ImportError{Path: p + ".name", Msg: fmt.Sprintf("smart account %q appears twice", sa.Name)}
		}
		vas := map[string]bool{}
		saNames[sa.Name] = vas
		defaults := 0
		udis := map[string]string{}
		for j, va := range sa.VirtualAccounts {
			vp := fmt.Sprintf("%s.virtualAccounts[%d]", p, j)
			if strings.TrimSpace(va.Name) == "" {
				return &ImportError{Path: vp + ".name", Msg: "a virtual account needs a name"}
			}
			if vas[va.Name] {
				return &ImportError{Path: vp + ".name", Msg: fmt.Sprintf("virtual account %q appears twice", va.Name)}
			}
			vas[va.Name] = true
			if va.Default {
				defaults++
			}
			tags := map[string]License{}
			for k, l := range va.Licenses {
				lp := fmt.Sprintf("%s.licenses[%d]", vp, k)
				if err := validateLicense(lp, l); err != nil {
					return err
				}
				if _, dup := tags[l.Tag]; dup {
					return &ImportError{Path: lp + ".tag", Msg: fmt.Sprintf("license %q appears twice in this virtual account", l.Tag)}
				}
				tags[l.Tag] = License{Family: l.Family}
			}
			for k, pi := range va.ProductInstances {
				pp := fmt.Sprintf("%s.productInstances[%d]", vp, k)
				if _, err := slrcode.FormatRequestCode(pi.PID, pi.SN, "AAAAAAAAA"); err != nil {
					return &ImportError{Path: pp, Msg: fmt.Sprintf("not a valid UDI: %v", err)}
				}
				fam, err := slrcode.FamilyOf(pi.PID)
				if err != nil {
					return &ImportError{Path: pp + ".pid", Msg: fmt.Sprintf("product %q does not support SLR (unknown family)", pi.PID)}
				}
				udi := pi.PID + ":" + pi.SN
				if prev, dup := udis[udi]; dup {
					return &ImportError{Path: pp + ".sn", Msg: fmt.Sprintf("duplicate serial: device PID:%s,SN:%s is already at %s", pi.PID, pi.SN, prev)}
				}
				udis[udi] = pp
				seen := map[string]bool{}
				for m, ln := range pi.Reservation {
					rp := fmt.Sprintf("%s.reservation[%d]", pp, m)
					l, ok := tags[ln.Tag]
					if !ok {
						return &ImportError{Path: rp + ".tag", Msg: fmt.Sprintf("license %q is not in this virtual account", ln.Tag)}
					}
					if l.Family != fam.ID {
						return &ImportError{Path: rp + ".tag", Msg: fmt.Sprintf("license %q is for family %s, the device is %s", ln.Tag, l.Family, fam.ID)}
					}
					if ln.Count < 1 || ln.Count > 100000 {
						return &ImportError{Path: rp + ".count", Msg: "count must be between 1 and 100000"}
					}
					if seen[ln.Tag] {
						return &ImportError{Path: rp + ".tag", Msg: "license appears twice in this reservation"}
					}
					seen[ln.Tag] = true
				}
			}
		}
		if len(sa.VirtualAccounts) > 0 && defaults != 1 {
			return &ImportError{Path: p + ".virtualAccounts", Msg: fmt.Sprintf("exactly one virtual account must be the default (found %d)", defaults)}
		}
	}
	users := map[string]bool{}
	for i, u := range f.Users {
		p := fmt.Sprintf("$.users[%d]", i)
		if !validUsername(u.Username) {
			return &ImportError{Path: p + ".username", Msg: "a username is 1–64 characters of letters, digits, '.', '_', '-' or '@'"}
		}
		if users[u.Username] {
			return &ImportError{Path: p + ".username", Msg: fmt.Sprintf("user %q appears twice", u.Username)}
		}
		users[u.Username] = true
		if len(u.Password) < 8 || len(u.Password) > 72 {
			return &ImportError{Path: p + ".password", Msg: "a password is 8 to 72 bytes long"}
		}
		for j, r := range u.Roles {
			rp := fmt.Sprintf("%s.roles[%d]", p, j)
			role, err := access.ParseRole(r.Role)
			if err != nil {
				return &ImportError{Path: rp + ".role", Msg: err.Error()}
			}
			if vas, ok := saNames[r.SmartAccount]; ok && !role.SAScoped() && !vas[r.VirtualAccount] {
				return &ImportError{Path: rp + ".virtualAccount", Msg: fmt.Sprintf("unknown virtual account %q in smart account %q", r.VirtualAccount, r.SmartAccount)}
			}
			if role.SAScoped() && r.VirtualAccount != "" {
				return &ImportError{Path: rp + ".virtualAccount", Msg: fmt.Sprintf("%s is a smart account role; it takes no virtual account", role)}
			}
		}
	}
	return nil
}

func validateLicense(p string, l ImportLicense) error {
	if strings.TrimSpace(l.Tag) == "" || len(l.Tag) > 300 {
		return &ImportError{Path: p + ".tag", Msg: "a license needs a tag of at most 300 characters"}
	}
	if strings.TrimSpace(l.DisplayName) == "" {
		return &ImportError{Path: p + ".displayName", Msg: "a license needs a display name"}
	}
	if _, ok := slrcode.FamilyByID(l.Family); !ok {
		return &ImportError{Path: p + ".family", Msg: fmt.Sprintf("unknown family %q", l.Family)}
	}
	switch LicenseType(l.Type) {
	case Perpetual:
		if l.EndDate != "" {
			return &ImportError{Path: p + ".endDate", Msg: "a PERPETUAL license has no end date"}
		}
	case Term:
		if _, err := time.Parse(time.DateOnly, l.EndDate); err != nil {
			return &ImportError{Path: p + ".endDate", Msg: "a TERM license needs an end date YYYY-MM-DD"}
		}
	default:
		return &ImportError{Path: p + ".type", Msg: fmt.Sprintf("type must be PERPETUAL or TERM, not %q", l.Type)}
	}
	if l.StartDate != "" {
		if _, err := time.Parse(time.DateOnly, l.StartDate); err != nil {
			return &ImportError{Path: p + ".startDate", Msg: "a start date is YYYY-MM-DD"}
		}
	}
	if l.Purchased < 0 || l.Purchased > 1000000 {
		return &ImportError{Path: p + ".purchased", Msg: "purchased must be between 0 and 1000000"}
	}
	return nil
}

func validUsername(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-@", r)
		if !ok {
			return false
		}
	}
	return true
}

func importTags(ls []ImportLicense) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Tag
	}
	return out
}
