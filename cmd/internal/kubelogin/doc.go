// Package kubelogin reads Azure/kubelogin's command line and environment variables, with the
// meaning kubelogin gives them, and turns them into a token request of aadcred's. It is what lets
// a kubeconfig written for kubelogin run kubectl-aad unchanged: kubeconfigs carry flags baked in
// by `az aks get-credentials` or by hand, which their users cannot easily change.
//
// Precedence is kubelogin's: a variable it reads, when set, overrides the flag it stands for
// (AAD_LOGIN_METHOD switching a baked-in devicecode to interactive is the documented use), and
// --disable-environment-override turns every such override off. Flags and modes kubelogin has
// but kubectl-aad does not support are errors that name them, never silently ignored.
package kubelogin
