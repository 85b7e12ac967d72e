// Package fakeentra is an in-process fake of Microsoft Entra ID (Azure AD) for tests.
//
// A Server listens on 127.0.0.1 only. The authority (token, device-code, authorize and
// discovery endpoints, v1 and v2) speaks TLS with a certificate from a CA generated at start;
// the managed-identity endpoints (IMDS, App Service, Cloud Shell, Azure Arc) are plain HTTP on
// loopback listeners of their own, as the real ones are.
//
// The fake behaves like the real service as described in the project's REFERENCE.md: the same
// request rules, the same answers (string-typed numbers on v1, numbers on v2), the same error
// shape and AADSTS codes. It signs RS256 access tokens that fake resource servers check with a
// Verifier. Tests drive the parts a person would do (approving a device code, signing in in a
// browser) and can inject faults.
//
// The package deliberately imports nothing from aadcred: it is the independent check on the
// product's client.
package fakeentra
