// Package fakeaks is a fake AKS API server for end-to-end tests: just enough of the Kubernetes
// API for `kubectl get pods` and client-go's REST client, behind Entra ID authentication as an
// AKS cluster with Entra integration does it.
//
// Every request needs "Authorization: Bearer <token>", a token from the fake Entra ID whose
// signature, expiry, audience (the AKS server application, 6dae42f8-…, or spn:6dae42f8-… from
// the v1 endpoint) and tenant verify; anything else gets 401 with a Kubernetes Status, as the
// real API server answers. It serves /version, /api, /api/v1, /apis (no groups) and the pods of
// the default namespace, as a PodList or, when kubectl asks for one, a Table.
//
// It speaks TLS with the fake Entra ID's certificate, so the world's one CA file is the
// kubeconfig's certificate-authority. It records who called what, never a token.
package fakeaks
