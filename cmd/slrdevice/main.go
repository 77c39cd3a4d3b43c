// Command slrdevice simulates the license agent of a network device that uses
// Specific License Reservation (DESIGN §4.5). It keeps one device's state in
// a JSON file and mirrors the device CLI: it prints reservation request
// codes, installs authorization code files after verifying them exactly as a
// device would, and prints confirmation and return codes.
//
// Usage:
//
//	slrdevice init --pid PID --sn SN [--state FILE] [--force]
//	slrdevice request [--state FILE]
//	slrdevice install FILE --key PEM|URL [--state FILE]
//	slrdevice show [--state FILE]
//	slrdevice return [--state FILE]
//	slrdevice return-authorization FILE [--key PEM|URL] [--state FILE]
//	slrdevice cancel [--state FILE]
//
// Codes go to standard output alone on their line, so that scripts can
// capture them; errors go to standard error and the exit status is non-zero
// (1 for a refusal or failure, 2 for a usage error).
package main

import (
	"context"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	a := &app{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		client: &http.Client{Timeout: 30 * time.Second},
		now:    time.Now,
	}
	code := a.run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
