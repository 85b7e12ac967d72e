// Package git wires git-credential-aad into git's configuration, the way `gh auth setup-git`
// does for GitHub: for each URL, an empty credential.<url>.helper (which drops the helpers that
// earlier settings gave that URL), then the helper by absolute path, and
// credential.<url>.useHttpPath, which Azure Repos needs to tell organisations apart.
//
// Configure is idempotent, and Remove undoes exactly what it did: it deletes only the entries
// Configure added, and unsets useHttpPath only where Configure was the one to set it (recorded
// beside it as credential.<url>.aadcredSetUseHttpPath, which git ignores).
//
// Everything goes through the git command, so that git's own rules for reading, quoting and
// locking its configuration files apply.
package git
