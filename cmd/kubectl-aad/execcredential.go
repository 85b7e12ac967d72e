package main

import (
	"encoding/json"
	"io"
	"time"
)

// execCredential is client-go's ExecCredential as it travels (the same JSON in v1 and v1beta1),
// written out here rather than with k8s.io/client-go's types: importing those links
// k8s.io/apimachinery, whose package initialisation would cost every kubectl call a
// millisecond or more before any work. The tests decode this answer with client-go's own types.
type execCredential struct {
	Kind       string               `json:"kind"`
	APIVersion string               `json:"apiVersion"`
	Spec       execCredentialSpec   `json:"spec"`
	Status     execCredentialStatus `json:"status"`
}

type execCredentialSpec struct {
	Interactive bool `json:"interactive"`
}

type execCredentialStatus struct {
	// ExpirationTimestamp is RFC 3339 in UTC to the second, as metav1.Time writes it.
	ExpirationTimestamp string `json:"expirationTimestamp,omitempty"`
	Token               string `json:"token"`
}

// writeExecCredential writes the answer kubectl reads from stdout: one ExecCredential of the
// version it asked for, holding the token and when to stop using it.
func writeExecCredential(w io.Writer, info execInfo, token string, expiry time.Time) error {
	cred := execCredential{
		Kind:       execCredentialKind,
		APIVersion: info.APIVersion,
		Spec:       execCredentialSpec{Interactive: info.Interactive},
		Status:     execCredentialStatus{Token: token},
	}
	if !expiry.IsZero() {
		cred.Status.ExpirationTimestamp = expiry.UTC().Format(time.RFC3339)
	}
	return json.NewEncoder(w).Encode(cred)
}
