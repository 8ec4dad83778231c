// Package testutil holds helpers that several packages' tests share. Nothing outside tests
// imports it.
package testutil
