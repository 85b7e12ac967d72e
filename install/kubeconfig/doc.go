// Package kubeconfig converts the users of a kubeconfig that sign in through Azure/kubelogin or
// the old azure auth-provider (or through kubectl-aad already) to run kubectl-aad, keeping each
// cluster's server application ID and tenant, with the arguments kubelogin's own converter writes
// for each mode. It reads and writes with client-go's clientcmd, so multi-file KUBECONFIG lists
// and everything else in the files are handled as kubectl handles them; each file it changes is
// copied to a backup first, and a user already as a conversion would write it is left alone, so
// converting again changes nothing. It never writes a secret into a kubeconfig, and drops those
// an old user held.
package kubeconfig
