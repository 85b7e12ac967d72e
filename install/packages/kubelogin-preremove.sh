#!/bin/sh
# aadcred-kubelogin's script before it is removed (dpkg prerm, rpm %preun, apk pre-deinstall):
# kubectl-aad takes away the kubelogin link it made, and nothing else. An upgrade (dpkg says
# "upgrade", rpm 1) keeps the link, which leads to kubectl-aad by name.
case ${1:-} in
upgrade | 1) exit 0 ;;
esac

# DPKG_ROOT is the system being changed when it is not / (dpkg --root, chrootless). The PATH is
# the one the post-install script gave kubectl-aad, which finds its link by it.
root=${DPKG_ROOT:-}
syspath=$root/usr/local/sbin:$root/usr/local/bin:$root/usr/sbin:$root/usr/bin:$root/sbin:$root/bin

if [ -x "$root/usr/bin/kubectl-aad" ]; then
	PATH=$syspath "$root/usr/bin/kubectl-aad" configure --as-kubelogin --remove ||
		echo "aadcred-kubelogin: the kubelogin link was left (see above)" >&2
elif [ -L "$root/usr/bin/kubelogin" ] && [ "$(readlink "$root/usr/bin/kubelogin")" = kubectl-aad ]; then
	# aadcred went first (a forced removal), and the link it made leads nowhere.
	rm -f "$root/usr/bin/kubelogin"
fi
exit 0
