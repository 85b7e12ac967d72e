#!/bin/sh
# aadcred-kubelogin's script after it is installed (dpkg postinst, rpm %post, apk post-install):
# kubectl-aad puts a kubelogin link beside itself, so that the kubeconfigs `az aks
# get-credentials` writes run kubectl-aad. The package holds no kubelogin file, which dpkg, rpm
# and apk would write over a kubelogin installed by hand: kubectl-aad makes the link only where
# no kubelogin is, and not when another kubelogin comes first on the system's PATH (where
# kubectl would find that one). When it makes none it says why, and the package still installs.
#
# DPKG_ROOT is the system being installed when it is not / (dpkg --root, chrootless).
root=${DPKG_ROOT:-}
syspath=$root/usr/local/sbin:$root/usr/local/bin:$root/usr/sbin:$root/usr/bin:$root/sbin:$root/bin

PATH=$syspath "$root/usr/bin/kubectl-aad" configure --as-kubelogin ||
	echo "aadcred-kubelogin: no kubelogin link was made (see above); once that is resolved, run: sudo kubectl-aad configure --as-kubelogin" >&2
exit 0
