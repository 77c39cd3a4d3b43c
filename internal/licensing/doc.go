// Package licensing is the domain of SLR Portal: smart and virtual accounts,
// licenses, product instances and their reservations, authorization codes and
// the event log, with the rules of DESIGN §3. It declares the Store it needs;
// internal/store/sqlite implements it. Use cases open exactly one transaction
// each through Store.InTx, and every write appends its events inside it.
package licensing
