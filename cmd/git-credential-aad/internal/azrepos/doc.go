// Package azrepos knows what git-credential-aad needs to know about Azure Repos: which hosts are
// Azure DevOps, which organisation a remote belongs to, and which Entra ID tenant signs in for
// that organisation.
//
// The tenant comes, in order, from the WWW-Authenticate headers git passes on (git 2.41 and
// later), from a small cache of earlier answers, or from one unauthenticated request to the
// organisation, whose 401 names its tenant (REFERENCE.md 3.7).
package azrepos
