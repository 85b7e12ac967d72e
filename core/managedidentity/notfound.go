package managedidentity

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aadcred/aadcred/core/entra"
)

// explainMissingIdentity says in plain words that the identity asked for does not exist on this
// machine. The endpoints answer 400 with only free text for it (IMDS: "Identity not found", App
// Service: "Unable to load the proper Managed Identity"), so text is all there is to go on.
func explainMissingIdentity(err error, id ID) error {
	var e *entra.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusBadRequest || !mentionsMissingIdentity(e.Description) {
		return err
	}
	if id.SystemAssigned() {
		return fmt.Errorf("this machine has no system-assigned managed identity: enable one, or select a user-assigned identity by its client ID: %w", err)
	}
	return fmt.Errorf("no managed identity with %s is assigned to this machine: check the ID and the identity's assignment: %w", id, err)
}

func mentionsMissingIdentity(description string) bool {
	d := strings.ToLower(description)
	if !strings.Contains(d, "identity") {
		return false
	}
	for _, phrase := range []string{"not found", "unable to load", "no managed identity", "not assigned"} {
		if strings.Contains(d, phrase) {
			return true
		}
	}
	return false
}
