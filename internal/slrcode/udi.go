package slrcode

import "strings"

// UDI is a device's unique device identifier: product ID and serial number.
type UDI struct{ PID, SN string }

// String is the form used in messages and event logs:
// "PID:C9300-24UX,SN:FCW2134L0RN".
func (u UDI) String() string { return "PID:" + u.PID + ",SN:" + u.SN }

// XMLText is the text of the authorization code's <udi> element:
// "P:C9300-24UX,S:FCW2134L0RN".
func (u UDI) XMLText() string { return "P:" + u.PID + ",S:" + u.SN }

// Validate reports whether PID and SN have the formats of DESIGN §4.1.
func (u UDI) Validate() error {
	if err := checkPID(codeRequest, u.PID); err != nil {
		return err
	}
	return checkSN(codeRequest, u.SN)
}

const (
	maxPIDLen    = 40
	maxSNLen     = 20
	nonceLen     = 9
	pidMessage   = "the PID must be 1 to 40 characters A-Z, 0-9, '.', '/', '+' or '-', starting with a letter or digit"
	snMessage    = "the serial number must be 1 to 20 characters A-Z or 0-9"
	nonceMessage = "the nonce must be 9 letters or digits"
)

func isUpperAlnum(c byte) bool { return 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' }

func isAlnum(c byte) bool { return isUpperAlnum(c) || 'a' <= c && c <= 'z' }

// validPID reports whether s matches [A-Z0-9][A-Z0-9./+-]{0,39}.
func validPID(s string) bool {
	if len(s) == 0 || len(s) > maxPIDLen || !isUpperAlnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isUpperAlnum(c) && !strings.ContainsRune("./+-", rune(c)) {
			return false
		}
	}
	return true
}

// validSN reports whether s matches [A-Z0-9]{1,20}.
func validSN(s string) bool {
	if len(s) == 0 || len(s) > maxSNLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isUpperAlnum(s[i]) {
			return false
		}
	}
	return true
}

// validNonce reports whether s matches [A-Za-z0-9]{9}.
func validNonce(s string) bool {
	if len(s) != nonceLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) {
			return false
		}
	}
	return true
}

func checkPID(code, pid string) error {
	if pid == "" {
		return parseErr(code, "PID", "the PID is missing")
	}
	if !validPID(pid) {
		return parseErr(code, "PID", pidMessage)
	}
	return nil
}

func checkSN(code, sn string) error {
	if sn == "" {
		return parseErr(code, "serial", "the serial number is missing")
	}
	if !validSN(sn) {
		return parseErr(code, "serial", snMessage)
	}
	return nil
}
