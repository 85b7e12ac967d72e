// Package hostmatch decides whether a host may receive a token.
//
// Matching is anchored and label-aware: a pattern is either an exact host
// name or "*.suffix", and "*.suffix" matches one or more whole labels in front
// of the suffix, never the bare suffix and never a host that merely ends with
// the same characters. An unanchored or substring match is how credential
// helpers have leaked tokens to hosts such as "contoso.azurecr.io.attacker.example"
// (GO-2026-6225), so everything here errs on the side of not matching.
//
// Hosts are compared in their ASCII form only. Internationalised names must
// be written in punycode ("xn--..."); a host that still holds any byte outside
// [a-z0-9.-] after ASCII lower-casing never matches.
package hostmatch
