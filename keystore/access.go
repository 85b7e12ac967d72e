package keystore

// Access says who can open the store's files: on Unix the modes and owner,
// on Windows the access control list of the store's directory (which its
// files inherit), for status.
func (s *Store) Access() (string, error) {
	return describeAccess(s.dir, s.uid)
}
