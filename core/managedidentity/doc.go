// Package managedidentity gets tokens for an Azure managed identity from whichever endpoint the
// machine offers: IMDS on VMs, scale sets and AKS nodes; the local identity endpoint of App
// Service, Functions and Container Apps; Cloud Shell; Azure ML; the Azure Arc agent's challenge;
// and Service Fabric.
//
// Every endpoint can be moved through the environment (the platforms' own variables, plus
// AADCRED_IMDS_ENDPOINT and AADCRED_ARC_TOKENS_DIR), so tests run against loopback fakes. Off Azure
// IMDS does not answer; the connection attempt gets about a second whatever the caller's deadline,
// and the error wraps ErrUnavailable so that a caller probing for an identity can move on.
//
// Managed identities have no refresh token: callers cache the access token and ask again before
// it expires.
package managedidentity
