// Command kubectl is kubectl built from its upstream library (k8s.io/kubectl), exactly as
// kubernetes/cmd/kubectl builds it. CI uses it only when a machine has no kubectl of 1.22 or later
// (Debian's kubernetes-client package is 1.20, too old for ExecCredential v1).
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"
)

func main() {
	command := cmd.NewDefaultKubectlCommand()
	if err := cli.RunNoErrOutput(command); err != nil {
		util.CheckErr(err)
		os.Exit(1)
	}
}
