package kubelogin

import (
	"fmt"

	"github.com/aadcred/aadcred/core/pop"
)

// CheckPoP refuses --pop-enabled and --pop-claims apart, as kubelogin does, and claims without u.
func (o Options) CheckPoP() error {
	switch {
	case o.PoPEnabled && o.PoPClaims == "":
		return fmt.Errorf("--%s needs --%s with the cluster's ARM ID: --%s u=<ARM ID>", FlagPoPEnabled, FlagPoPClaims, FlagPoPClaims)
	case !o.PoPEnabled && o.PoPClaims != "":
		return fmt.Errorf("--%s needs --%s: give both for a proof-of-possession token, or neither", FlagPoPClaims, FlagPoPEnabled)
	case o.PoPEnabled:
		_, err := pop.ParseClaims(o.PoPClaims)
		return err
	}
	return nil
}
