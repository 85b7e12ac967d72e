// Package harness runs aadcred's binaries the way git, docker and kubectl run them: as separate
// processes, with a clean environment that points every Azure endpoint at the fakes on loopback.
//
// A test builds the binaries once (Build, from TestMain), then makes a World per test: a fake
// Entra ID, a private HOME, cache and configuration, and the binaries first on PATH. Nothing a
// World starts listens anywhere but 127.0.0.1, and the managed-identity endpoint is always a
// fake, so no test can reach 169.254.169.254.
package harness
