package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// The ExecCredential versions client-go speaks (REFERENCE.md 5.1).
const (
	apiVersionV1       = "client.authentication.k8s.io/v1"
	apiVersionV1beta1  = "client.authentication.k8s.io/v1beta1"
	apiVersionV1alpha  = "client.authentication.k8s.io/v1alpha1"
	execCredentialKind = "ExecCredential"
)

// execInfo is what kubectl tells the plugin through KUBERNETES_EXEC_INFO.
type execInfo struct {
	// APIVersion is the ExecCredential version to answer with.
	APIVersion string
	// Interactive is spec.interactive: kubectl passed its standard input on, so a person at the
	// terminal may be asked. True when kubectl did not say (the plugin was run by hand, or by a
	// client too old to say).
	Interactive bool
	// Server is the cluster's API server (spec.cluster.server), which kubectl sends when the
	// kubeconfig user has provideClusterInfo; empty otherwise.
	Server string
}

// purpose says, at the head of the sign-in instructions, what kubectl needs the token for: the
// cluster when kubectl named it, else the cluster application.
func (i execInfo) purpose(serverID string) string {
	if u, err := url.Parse(i.Server); err == nil && u.Hostname() != "" {
		return "kubectl needs a token for cluster " + u.Hostname() + "."
	}
	return "kubectl needs a token for AKS (server application " + serverID + ")."
}

// parseExecInfo reads KUBERNETES_EXEC_INFO. An empty value means the plugin was run by hand:
// the answer is v1beta1, as kubelogin's is. Anything else must be an ExecCredential of a
// version this plugin can answer.
func parseExecInfo(raw string) (execInfo, error) {
	if strings.TrimSpace(raw) == "" {
		return execInfo{APIVersion: apiVersionV1beta1, Interactive: true}, nil
	}
	var in struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Spec       struct {
			Interactive *bool `json:"interactive"`
			Cluster     struct {
				Server string `json:"server"`
			} `json:"cluster"`
		} `json:"spec"`
	}
	if err := json.Unmarshal([]byte(raw), &in); err != nil {
		return execInfo{}, fmt.Errorf("KUBERNETES_EXEC_INFO is not an ExecCredential: %w", err)
	}
	if in.Kind != "" && in.Kind != execCredentialKind {
		return execInfo{}, fmt.Errorf("KUBERNETES_EXEC_INFO holds a %q, not an ExecCredential", in.Kind)
	}
	info := execInfo{APIVersion: in.APIVersion, Interactive: in.Spec.Interactive == nil || *in.Spec.Interactive, Server: in.Spec.Cluster.Server}
	switch in.APIVersion {
	case "":
		info.APIVersion = apiVersionV1beta1
	case apiVersionV1, apiVersionV1beta1:
	case apiVersionV1alpha:
		return execInfo{}, fmt.Errorf("kubectl asks for an ExecCredential of %s, which Kubernetes 1.24 removed: set the kubeconfig user's exec apiVersion to %s", apiVersionV1alpha, apiVersionV1)
	default:
		return execInfo{}, fmt.Errorf("kubectl asks for an ExecCredential of %q; kubectl-aad answers %s and %s", in.APIVersion, apiVersionV1, apiVersionV1beta1)
	}
	return info, nil
}
