package cli

// UseCommonFlags applies --debug and --profile given after a command that parses its own flags
// (kubectl-aad get-token reads kubelogin's), where the common flags' parser does not see them.
// It must be called before the session's log, configuration or client are first used.
func (s *Session) UseCommonFlags(debug bool, profile string) {
	if debug && !s.debug {
		s.debug, s.log = true, nil
	}
	if profile != "" {
		s.profile = profile
	}
}
